import type { Guard } from '../create-guard.js';
import { REASONS, type ReasonCode } from '../deny/reasons.js';
import type { Decision } from '../types.js';
import { decisionChannel } from '../observe/channels.js';

/**
 * A deny `Decision` for an outcome only the adapter can see (an undeclared route, a streamed body
 * over `max_request_size`, a fault in the adapter's own path), built from the same reason table as
 * the core's denies and reported to the guard's audit sink like any other decision.
 * `base` (usually the authentication decision) supplies the audit identity (agent, task, jti…).
 *
 * @example
 * const d = adapterDecision(guard, 'route_undeclared', { request: info, base: authenticated });
 * writeDeny(res, d);
 */
export function adapterDecision(
  guard: Pick<Guard, 'options'>,
  reason: ReasonCode,
  input: { readonly method?: string; readonly path?: string; readonly base?: Decision | undefined; readonly detail?: Record<string, unknown> },
): Decision {
  const row = REASONS[reason];
  const decision: Decision = {
    allowed: false,
    status: row.status,
    error: row.error,
    reason,
    headers: {},
    body: { error: row.error, error_description: row.description, reason },
    claims: input.base?.claims,
    audit: {
      ...(input.base?.audit ?? { method: input.method ?? '', path: input.path ?? '/', latencyMs: 0 }),
      time: new Date(guard.options.now()).toISOString(),
      decision: 'deny',
      status: row.status,
      error: row.error,
      reason,
      detail: input.detail,
    },
  };
  emit(guard, decision);
  return decision;
}

/**
 * Report a decision to the guard's audit sink (wrapped once: a failing sink never changes the outcome),
 * and publish it on `aap-guard:decision` as the core does its own, so that metrics count it too.
 */
export function emit(guard: Pick<Guard, 'options'>, decision: Decision): void {
  guard.options.audit?.(decision.audit);
  if (decisionChannel.hasSubscribers) {
    const action = decision.audit.action;
    decisionChannel.publish({ decision, route: action === undefined ? undefined : { action } });
  }
}
