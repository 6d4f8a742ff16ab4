import type { Decision, RequestInfo } from '../types.js';
import { checkChannel } from './channels.js';

/** Which entry point produced a decision: `check()`, or the adapters' `authenticate()` / `authorize()` split. */
export type CheckPhase = 'check' | 'authenticate' | 'authorize';

/** The context published on `aap-guard:check` (its `result` is the `Decision`). */
export interface CheckTraceContext {
  readonly request: RequestInfo;
  /** The route's declaration (a `RouteSpec` or `CompiledRoute`); absent for `authenticate()` and route-less checks. */
  readonly route: { readonly action: string } | undefined;
  readonly phase: CheckPhase;
}

type Entry<A extends unknown[]> = (request: RequestInfo, ...rest: A) => Promise<Decision>;

interface CheckEntries {
  check: Entry<[route?: never]>;
  authenticate: Entry<[]>;
  authorize: Entry<[route: never, authenticated: Decision]>;
}

/**
 * Put the guard's three entry points inside the `aap-guard:check` tracing channel, each run with its
 * `phase`, so that a tracer sees every decision whichever way an adapter asks for it. Without a
 * subscriber, a call costs one `hasSubscribers` read.
 *
 * @example
 * return traceChecks({ check, authenticate, authorize, … });
 */
export function traceChecks<G extends CheckEntries>(guard: G): G {
  const { check, authenticate, authorize } = guard;
  const traced = <A extends unknown[]>(phase: CheckPhase, entry: Entry<A>, routeOf: (rest: A) => unknown): Entry<A> =>
    (request, ...rest) =>
      checkChannel.hasSubscribers
        ? checkChannel.tracePromise(() => entry(request, ...rest), { request, route: routeOf(rest), phase } as CheckTraceContext)
        : entry(request, ...rest);
  guard.check = traced('check', check, (rest) => rest[0]);
  guard.authenticate = traced('authenticate', authenticate, () => undefined);
  guard.authorize = traced('authorize', authorize, (rest) => rest[0]);
  return guard;
}
