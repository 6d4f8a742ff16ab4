import { isSafeMethod } from '../../base/http/safe-method.js';
import type { RouteSpec } from '../../base/types/route.js';

/**
 * Whether a declared route admits only a valid agent token for a request of `method` (upper case): its
 * `agentsOnly`, or by default `true` for an unsafe method and `false` for a safe one. Only requests without
 * an AAP credential (`authRequired: false`, or an `appCredentials` credential) are concerned: refused
 * where this is true, passed on to the app's own authentication where it is false.
 *
 * @example
 * agentsOnly({}, 'POST'); // true
 * agentsOnly({}, 'GET'); // false
 * agentsOnly({ agentsOnly: true }, 'GET'); // true
 * agentsOnly({ agentsOnly: false }, 'DELETE'); // false
 */
export function agentsOnly(route: Pick<RouteSpec, 'agentsOnly'>, method: string): boolean {
  return route.agentsOnly ?? !isSafeMethod(method);
}
