import type { CnfClaim } from '../base/claims/model.js';
import { verifyDpop } from './dpop-proof.js';
import { checkMtls } from '../concerns/pop/mtls.js';
import { deny, type Deny } from '../base/deny/deny.js';
import type { Check, CheckContext } from './context.js';

/**
 * Step 3: proof-of-possession. The DPoP mode is the route's (`RouteSpec.dpop`) or the guard's
 * (`options.dpop.mode`, default `optional`):
 *
 * - a token bound to a DPoP key (`cnf.jkt`) presented with `Bearer` is a downgrade (RFC 9449 §7.1,
 *   §7.2) → `dpop_downgrade`, in every mode — `optional` still enforces the proof of bound tokens;
 * - `DPoP` scheme → the proof is verified (`verifyDpop`); with a token that is NOT DPoP-bound there
 *   is no key the proof could prove, so the request is refused as `invalid_token`
 *   (RFC 9449 §7.1: the resource server MUST check the proof key against the token's binding) with
 *   reason `dpop_key_mismatch`;
 * - `disabled` refuses the DPoP scheme and DPoP-bound tokens (`dpop_disabled`: such a token cannot be
 *   used without its proof).
 *
 * Independently, a token bound to a certificate (`cnf["x5t#S256"]`, RFC 8705 §3) needs that
 * certificate (`checkMtls`). Then the guard-wide requirement (`options.pop: 'required'`, or the deprecated
 * `dpop.mode: 'required'`): a token bound to neither is refused (`pop_required` / `dpop_required`) —
 * draft §7.2: possession is demonstrated by DPoP OR mTLS, so either binding meets it. A route's own
 * requirement is checked once the route is known (`routePop`, `popByRisk`).
 */
export const proofOfPossession: Check = (ctx) => {
  const { credentials, claims } = ctx;
  if (!credentials || !claims) return deny('credentials_missing', { problem: 'no verified token' });
  const cnf: CnfClaim = claims.cnf ?? {};
  const jkt = cnf.jkt;
  const x5t = cnf['x5t#S256'];
  if ((jkt !== undefined && typeof jkt !== 'string') || (x5t !== undefined && typeof x5t !== 'string')) {
    return deny('token_claims_invalid', { problem: 'cnf member is not a string' });
  }
  if (jkt !== undefined || x5t !== undefined || credentials.scheme === 'DPoP') {
    return dpopStep(ctx, credentials.scheme, jkt) ?? (x5t === undefined ? undefined : checkMtls(ctx, x5t));
  }
  const { requirement, requiredReason } = ctx.settings.pop;
  return requirement === 'required'
    ? deny(requiredReason, { check: 'pop', requirement: 'guard', problem: 'token is bound to no key' })
    : undefined;
};

function dpopStep(ctx: CheckContext, scheme: 'Bearer' | 'DPoP', jkt: string | undefined): Deny | undefined {
  const mode = ctx.route?.dpop ?? ctx.settings.pop.dpopMode;
  if (scheme === 'Bearer') {
    return jkt === undefined
      ? undefined
      : deny('dpop_downgrade', { check: 'dpop', problem: 'DPoP-bound token sent with the Bearer scheme' });
  }
  if (mode === 'disabled')
    return deny('dpop_disabled', { check: 'dpop', problem: 'DPoP scheme on a guard or route with DPoP disabled' });
  if (jkt === undefined)
    return deny('dpop_key_mismatch', { check: 'dpop', problem: 'DPoP scheme with a token that is not DPoP-bound' });
  return verifyDpop(ctx, jkt);
}
