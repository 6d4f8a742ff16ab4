import type { Deny } from '../base/deny/deny.js';
import { POLICY_OF, REASONS } from '../base/deny/reasons.js';
import type { CheckContext } from './context.js';

/**
 * A check's deny, enforced — or, when its reason belongs to a policy the guard rolls out report-only
 * (`GuardOptions.reportOnly`), recorded on the request as a "would deny" and `undefined` returned, so the
 * check goes on as if it had passed. Call it where the check can go on: a deny returned past it is
 * enforced whatever its reason (the engine never skips the rest of a step — that could skip a real check).
 * Costs nothing on an allow: it is only reached with a deny in hand.
 */
export function reportOrDeny(ctx: CheckContext, outcome: Deny): Deny | undefined {
  const policy = POLICY_OF.get(outcome.reason);
  if (policy === undefined || !ctx.settings.reportOnly.has(policy)) return outcome;
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
