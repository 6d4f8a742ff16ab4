import { isActionName } from './claims/action.js';
import type { RouteSpec } from './types.js';

/** A route declaration validated and frozen once, at startup. */
export interface CompiledRoute extends RouteSpec {
  readonly compiled: true;
}

/**
 * Validate and freeze a route declaration. Throws `TypeError` naming the option on misconfiguration.
 *
 * @example
 * const search = compileRoute({ action: 'search.web' });
 */
export function compileRoute(spec: RouteSpec | CompiledRoute): CompiledRoute {
  if ((spec as CompiledRoute).compiled === true) return spec as CompiledRoute;
  if (!spec || typeof spec.action !== 'string' || !isActionName(spec.action)) {
    throw new TypeError(`route.action must be an action name per the AAP ABNF, got ${JSON.stringify(spec?.action)}`);
  }
  return Object.freeze({ ...spec, compiled: true as const });
}
