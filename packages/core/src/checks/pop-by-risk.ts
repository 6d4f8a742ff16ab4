import type { AapClaims } from '../base/claims/model.js';
import { deny } from '../base/deny/deny.js';
import { isSafeMethod } from '../base/http/safe-method.js';
import { levelRank } from '../concerns/constraints/levels.js';
import type { CompiledRoute } from '../concerns/route/compile-route.js';
import type { Check, CheckContext } from './context.js';
import { reportOrDeny } from './report-only.js';
import { isSenderConstrained } from './sender-constrained.js';

/** `confidential` and above (concerns/constraints/levels.ts). */
const CONFIDENTIAL = levelRank('confidential') as number;
/** The draft's oversight levels at `approval` or above (schema enum: none < notification < approval < supervised). */
const APPROVAL_OR_ABOVE: ReadonlySet<string> = new Set(['approval', 'supervised']);
/** "Token lifetime > 1 hour", in seconds. */
const ONE_HOUR = 3600;

/** Which of the draft's risk criteria a request meets (the first found), for the audit detail. */
export type PopRisk = 'classification' | 'oversight' | 'lifetime' | 'write';

/**
 * Proof of possession by risk (`pop: 'by-risk'`, on the guard or the route): the draft's §12.2 "Profile
 * Selection Criteria" say PoP SHOULD be REQUIRED when the capability's `data_classification_max` is
 * `confidential` or above, `oversight.level` is `approval` or above, the token lives over an hour, or the
 * action writes, deletes or executes. An unbound token meeting any of them is refused, 401 `pop_required`.
 * Runs after the constraints (the authorizing capability is known) and before oversight, so no hold is
 * made for a request refused here. The draft's last criterion, "resources in different trust domains",
 * is not something a resource server can see in a request: it is left to `pop: 'required'` on such routes.
 */
export const popByRisk: Check = (ctx) => {
  const { route, claims } = ctx;
  if (!route || !claims) return undefined;
  if ((route.popRequirement ?? ctx.settings.pop.requirement) !== 'by-risk' || isSenderConstrained(claims))
    return undefined;
  const risk = riskOf(ctx, route, claims);
  if (risk === undefined) return undefined;
  return reportOrDeny(
    ctx,
    'pop',
    deny('pop_required', {
      check: 'pop',
      requirement: 'by-risk',
      risk,
      problem: 'a bearer token for a request the risk criteria reserve to bound tokens',
    }),
  );
};

function riskOf(ctx: CheckContext, route: CompiledRoute, claims: AapClaims): PopRisk | undefined {
  const rank = levelRank(ctx.capability?.constraints?.data_classification_max);
  if (rank !== undefined && rank >= CONFIDENTIAL) return 'classification';
  const level = claims.oversight?.level;
  if (typeof level === 'string' && APPROVAL_OR_ABOVE.has(level)) return 'oversight';
  if (longLived(claims)) return 'lifetime';
  if (route.readOnly === undefined ? !isSafeMethod(ctx.method) : !route.readOnly) return 'write';
  return undefined;
}

/**
 * `exp` minus the issue time (`iat`, else `nbf`) over an hour. A JWT without `iat` is refused at step 2
 * (RFC 9068 §2.2 makes it REQUIRED); an introspection answer may lack both (RFC 7662 §2.2): such a token
 * cannot show that it lives an hour or less, so it fails closed and counts as long-lived.
 */
function longLived(claims: AapClaims): boolean {
  const issued = claims.iat ?? claims.nbf;
  return typeof issued !== 'number' || claims.exp - issued > ONE_HOUR;
}
