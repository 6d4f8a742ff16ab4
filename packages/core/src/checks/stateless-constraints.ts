import type { Capability } from '../base/claims/model.js';
import { compileCapability, type ConstraintCheck } from './compile-capability.js';
import { contextViolation } from './context-violation.js';
import { deny, type Deny } from '../base/deny/deny.js';
import type { Check, CheckContext } from './context.js';
import type { WouldDeny } from '../base/deny/would-deny.js';

/**
 * Step 6, continued: the constraints that need no shared state — the token-wide `context`, then each
 * candidate capability's constraints (draft "Constraint Enforcement Semantics").
 *
 * AND within a capability: every constraint must hold. OR across capabilities: the request is
 * authorized by the FIRST candidate, in token order, whose constraints all hold — "evaluates
 * capabilities in order and uses the first match". That capability alone is recorded on the decision,
 * its `max_request_size` / `max_response_size` bound the streams, and only its rate limits are consumed
 * in step 8, on counters of its own (so a request never spends the quota of two capabilities, and a later capability's
 * quota is
 * not used when the first one's is exhausted: the answer is then 429). When no candidate holds, the
 * deny is the first candidate's, so the reason does not depend on how many capabilities the AS issued.
 */
export const statelessConstraints: Check = (ctx) => {
  const context = contextViolation(ctx);
  if (context) return context;
  let first: Deny | undefined;
  let firstReported: WouldDeny[] | undefined;
  const candidates = ctx.candidates ?? [];
  const reported = ctx.wouldDeny?.length ?? 0;
  for (const [n, capability] of candidates.entries()) {
    const compiled = compileCapability(capability);
    const violation = firstViolation(compiled.checks, ctx, capability);
    if (!violation) {
      ctx.capability = capability;
      if (n > 0) ctx.rateLimitScope = `${capability.action}#${n}`;
      if (compiled.limits) ctx.limits = compiled.limits;
      return undefined;
    }
    // Report-only would-denies are those of the capability that decided: the one that authorized, or,
    // when none did, the first (whose deny is sent). Another candidate's are not what the request met.
    const noted = ctx.wouldDeny?.splice(reported);
    if (!first) firstReported = noted;
    first ??= violation;
  }
  if (firstReported?.length) ctx.wouldDeny?.push(...firstReported);
  return first ?? deny('capability_missing');
};

function firstViolation(
  checks: readonly ConstraintCheck[],
  ctx: CheckContext,
  capability: Capability,
): Deny | undefined {
  for (const check of checks) {
    const violation = check(ctx, capability);
    if (violation) return violation;
  }
  return undefined;
}
