import type { Decision } from '../types/decision.js';
import type { RequestInfo } from '../types/request.js';
import { checkChannel } from './channels.js';

/**
 * Which entry point produced a decision: `check()`, or the adapters' two halves — `authenticate` (steps
 * 1–4, traced when they end the request: a deny, or a request without AAP credentials let through) and
 * `authorize` (steps 5–8 of a route, or the whole check when nothing authenticated before).
 */
export type CheckPhase = 'check' | 'authenticate' | 'authorize';

/** The context published on `aap-guard:check` (its `result` is the `Decision`). */
export interface CheckTraceContext {
  readonly request: RequestInfo;
  /** The route's declaration; absent when authenticating before the route is known. */
  readonly route: { readonly action: string } | undefined;
  readonly phase: CheckPhase;
}

/**
 * Run one decision inside the `aap-guard:check` tracing channel, with its `phase`, so that a tracer sees
 * every decision whichever way it is asked for. Without a subscriber, a call costs one `hasSubscribers` read.
 */
export function traceCheck(
  phase: CheckPhase,
  request: RequestInfo,
  route: { readonly action: string } | undefined,
  decide: () => Decision | Promise<Decision>,
): Decision | Promise<Decision> {
  if (!checkChannel.hasSubscribers) return decide();
  const context: CheckTraceContext = { request, route, phase };
  return checkChannel.tracePromise(async () => decide(), context);
}
