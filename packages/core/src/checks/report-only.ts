import type { Deny } from '../base/deny/deny.js';
import { REASONS, type PolicyName } from '../base/deny/reasons.js';
import type { CheckContext } from './context.js';

/**
 * A check's deny, enforced — or, when the guard rolls out the call site's `policy` report-only
 * (`GuardOptions.reportOnly`) and the deny's reason belongs to that policy (the reason table's `policy`),
 * recorded on the request as a "would deny" and `undefined` returned, so the check goes on as if it had
 * passed. The policy is named where the check can go on, never inferred from the reason: the same reason
 * from another call site (a route's own `pop: 'required'`) stays enforced. A deny returned past it is
 * enforced whatever its reason (the engine never skips the rest of a step — that could skip a real check).
 * Costs nothing on an allow: it is only reached with a deny in hand.
 *
 * @example
 * return reportOrDeny(ctx, 'context', deny('context_violation', { rule: 'geo_restriction' }));
 */
export function reportOrDeny(ctx: CheckContext, policy: PolicyName, outcome: Deny): Deny | undefined {
  if (
    !ctx.settings.reportOnly.has(policy) ||
    (REASONS[outcome.reason] as { readonly policy?: PolicyName }).policy !== policy
  )
    return outcome;
  const row = REASONS[outcome.reason];
  (ctx.wouldDeny ??= []).push({
    policy,
    reason: outcome.reason,
    status: row.status,
    error: row.error,
    detail: outcome.detail,
  });
  return undefined;
}
