import { isActionName } from '../../base/claims/action.js';
import { levelRank } from '../constraints/levels.js';
import type { ConstraintHandler, PopRequirement, RouteSpec } from '../../base/types/route.js';
import { checkKeys } from '../../base/types/known-keys.js';

/** A route declaration validated and frozen once, at startup, with its lookups precomputed. */
export interface CompiledRoute extends RouteSpec {
  readonly compiled: true;
  /** `purposes` as a set, when given. */
  readonly purposeSet?: ReadonlySet<string> | undefined;
  /** Rank of `maxSensitivity` (see concerns/constraints/levels.ts). */
  readonly sensitivityCeiling?: number | undefined;
  /** Rank of `classification`; an unclassified route serves `public` data. */
  readonly classificationRank: number;
  /** Where `task.id` is read from, parsed from `taskIdFrom`. */
  readonly taskId?: { readonly from: 'header' | 'param'; readonly name: string } | undefined;
  /** The route's own PoP requirement: `pop`, or the deprecated `dpop: 'required'`; absent = the guard's. */
  readonly popRequirement: PopRequirement | undefined;
  /** The reason the route's `required` refuses with: `dpop_required` when asked as `dpop: 'required'` (deprecated). */
  readonly popReason: 'pop_required' | 'dpop_required';
}

const DPOP_MODES = new Set(['required', 'optional', 'disabled']);
const POP_REQUIREMENTS = new Set(['required', 'by-risk', 'optional']);

/** The keys of a `RouteSpec` (an adapter's declaration adds its own, e.g. `target`). */
export const ROUTE_KEYS = [
  'action',
  'purposes',
  'maxSensitivity',
  'classification',
  'taskIdFrom',
  'pop',
  'readOnly',
  'dpop',
  'constraints',
  'agentsOnly',
] as const;

/**
 * Validate and freeze a route declaration. Throws `TypeError` naming the option on misconfiguration.
 *
 * @example
 * const search = compileRoute({ action: 'search.web', purposes: ['research'], classification: 'internal' });
 */
export function compileRoute(spec: RouteSpec | CompiledRoute): CompiledRoute {
  if ((spec as CompiledRoute).compiled === true) return spec as CompiledRoute;
  checkKeys(spec, ROUTE_KEYS, 'route');
  if (!spec || typeof spec.action !== 'string' || !isActionName(spec.action)) {
    throw new TypeError(`route.action must be an action name per the AAP ABNF, got ${JSON.stringify(spec?.action)}`);
  }
  const { purposes, maxSensitivity, classification, taskIdFrom, dpop, constraints, agentsOnly } = spec;
  if (purposes !== undefined && !(Array.isArray(purposes) && purposes.every((p) => typeof p === 'string'))) {
    throw new TypeError('route.purposes must be an array of strings');
  }
  if (dpop !== undefined && !DPOP_MODES.has(dpop))
    throw new TypeError("route.dpop must be 'required', 'optional' or 'disabled'");
  const popRequirement = routePop(spec);
  validateHandlers(constraints);
  if (agentsOnly !== undefined && typeof agentsOnly !== 'boolean')
    throw new TypeError('route.agentsOnly must be a boolean');
  return Object.freeze({
    ...spec,
    compiled: true as const,
    purposeSet: purposes && new Set(purposes),
    sensitivityCeiling: maxSensitivity === undefined ? undefined : rank(maxSensitivity, 'maxSensitivity'),
    classificationRank: classification === undefined ? 0 : rank(classification, 'classification'),
    taskId: taskIdFrom === undefined ? undefined : parseTaskIdFrom(taskIdFrom),
    popRequirement,
    popReason: spec.pop === undefined && dpop === 'required' ? 'dpop_required' : 'pop_required',
  });
}

/** `route.pop`, or what the deprecated `route.dpop: 'required'` asks (PoP by DPoP or mTLS); `readOnly` checked. */
function routePop({ pop, dpop, readOnly }: RouteSpec): PopRequirement | undefined {
  if (pop !== undefined && !POP_REQUIREMENTS.has(pop))
    throw new TypeError("route.pop must be 'required', 'by-risk' or 'optional'");
  if (readOnly !== undefined && typeof readOnly !== 'boolean') throw new TypeError('route.readOnly must be a boolean');
  if (dpop !== 'required') return pop;
  if (pop !== undefined && pop !== 'required')
    throw new TypeError(
      `route.dpop 'required' (deprecated: it means route.pop 'required') contradicts route.pop '${pop}'`,
    );
  return 'required';
}

function rank(level: unknown, name: string): number {
  const value = levelRank(level);
  if (value === undefined)
    throw new TypeError(`route.${name} must be one of public, internal, confidential, restricted, personal`);
  return value;
}

function parseTaskIdFrom(value: unknown): CompiledRoute['taskId'] {
  const match = typeof value === 'string' ? /^(header|param):(.+)$/.exec(value) : null;
  if (!match) throw new TypeError("route.taskIdFrom must be 'header:<name>' or 'param:<name>'");
  const from = match[1] as 'header' | 'param';
  return Object.freeze({ from, name: from === 'header' ? match[2]!.toLowerCase() : match[2]! });
}

/** Constraint handlers must be functions, by constraint name (shared with the guard-level option). */
export function validateHandlers(
  handlers: unknown,
  name = 'route.constraints',
): asserts handlers is Readonly<Record<string, ConstraintHandler>> | undefined {
  if (handlers === undefined) return;
  if (
    handlers === null ||
    typeof handlers !== 'object' ||
    Object.values(handlers).some((h) => typeof h !== 'function')
  ) {
    throw new TypeError(`${name} must map constraint names to handler functions`);
  }
}
