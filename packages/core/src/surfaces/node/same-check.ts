import { ROUTE_KEYS, type CompiledRoute } from '../../concerns/route/compile-route.js';
import type { RequestInfo } from '../../base/types/request.js';

/**
 * Whether a declaration asks for the check an earlier allow of the same guard already made on this request:
 * the same route declaration (the same object, or one declared alike — a router-wide `aap.require('x')` and
 * the route's own), with the same target and, where the task id is bound to a route parameter, the same
 * parameter. No route: nothing more to authorize. Anything else is another check, made in full.
 */
export function sameCheck(
  first: CompiledRoute | undefined,
  firstExtra: Partial<RequestInfo> | undefined,
  route: CompiledRoute | undefined,
  extra: Partial<RequestInfo>,
): boolean {
  if (route === undefined) return true;
  if (first === undefined || (first !== route && !declaredAlike(first, route))) return false;
  if (!Object.is(firstExtra?.target, extra.target)) return false;
  const taskId = route.taskId;
  return taskId?.from !== 'param' || firstExtra?.params?.[taskId.name] === extra.params?.[taskId.name];
}

/**
 * Declared alike: every field a declaration can set (`ROUTE_KEYS`, one list, so a new field is never left
 * out of the comparison — a second declaration that adds `pop: 'required'` is another check).
 */
function declaredAlike(a: CompiledRoute, b: CompiledRoute): boolean {
  for (const key of ROUTE_KEYS) {
    const left: unknown = a[key];
    const right: unknown = b[key];
    if (key === 'purposes' ? !sameList(left as Purposes, right as Purposes) : left !== right) return false;
  }
  return true;
}

type Purposes = readonly string[] | undefined;

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  return a.every((value, index) => value === b[index]);
}
