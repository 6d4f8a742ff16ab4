import type { Capability } from '../base/claims/model.js';
import { compileCapability, type ConstraintCheck } from './compile-capability.js';
import { contextViolation } from './context-violation.js';
import { deny, type Deny } from '../base/deny/deny.js';
import type { Check, CheckContext } from './context.js';

/**
 * Step 6, continued: the constraints that need no shared state — the token-wide `context`, then each
 * candidate capability's constraints (draft "Constraint Enforcement Semantics").
 *
 * AND within a capability: every constraint must hold. OR across capabilities: the request is
 * authorized by the FIRST candidate, in token order, whose constraints all hold — "evaluates
 * capabilities in order and uses the first match". That capability alone is recorded on the decision,
 * its `max_request_size` / `max_response_size` bound the streams, and only its rate limits are consumed
 * in step 8, on counters of its own (so a request never spends the quota of two capabilities, and a later capability's quota is
 * not used when the first one's is exhausted: the answer is then 429). When no candidate holds, the
 * deny is the first candidate's, so the reason does not depend on how many capabilities the AS issued.
 */
export const statelessConstraints: Check = (ctx) => {
  const context = contextViolation(ctx);
  if (context) return context;
  let first: Deny | undefined;
  const candidates = ctx.candidates ?? [];
  for (const [n, capability] of candidates.entries()) {
    const compiled = compileCapability(capability);
    const reported = ctx.wouldDeny?.length ?? 0;
    const violation = firstViolation(compiled.checks, ctx, capability);
    if (!violation) {
      ctx.capability = capability;
      if (n > 0) ctx.rateLimitScope = `${capability.action}#${n}`;
      if (compiled.limits) ctx.limits = compiled.limits;
      return undefined;
    }
    // What a report-only policy noted about a capability that did not authorize the request is not
    // what the request would have met: only the authorizing capability's would-denies are kept.
    if (ctx.wouldDeny) ctx.wouldDeny.length = reported;
    first ??= violation;
  }
  return first ?? deny('capability_missing');
};

function firstViolation(checks: readonly ConstraintCheck[], ctx: CheckContext, capability: Capability): Deny | undefined {
  for (const check of checks) {
    const violation = check(ctx, capability);
    if (violation) return violation;
  }
  return undefined;
}
