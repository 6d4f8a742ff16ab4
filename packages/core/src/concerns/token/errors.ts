import { deny, type Deny } from '../../base/deny/deny.js';
import type { ReasonCode } from '../../base/deny/reasons.js';
import { InfrastructureError } from '../../base/util/errors.js';

/** jose error codes → our reasons (jose `util/errors`). Claim failures are refined by `claimReason`. */
const BY_CODE: Readonly<Record<string, ReasonCode>> = {
  ERR_JWS_INVALID: 'token_malformed',
  ERR_JWT_INVALID: 'token_malformed',
  ERR_JOSE_ALG_NOT_ALLOWED: 'token_alg_not_allowed',
  ERR_JOSE_NOT_SUPPORTED: 'token_header_invalid', // e.g. an unrecognized `crit` extension (RFC 7515 §4.1.11)
  ERR_JWKS_NO_MATCHING_KEY: 'token_key_unknown',
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: 'token_key_unknown',
  ERR_JWK_INVALID: 'token_key_unknown',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'token_signature_invalid',
  ERR_JWT_EXPIRED: 'token_expired',
};

/** Outages that reach here without having been wrapped (e.g. thrown by a key function). */
const OUTAGE: ReadonlySet<string> = new Set(['ERR_JWKS_TIMEOUT', 'ERR_JWKS_INVALID']);

/**
 * Turn an error of jose's `jwtVerify` into a deny; the jose code and claim go to the audit detail.
 * Infrastructure faults are re-thrown (the guard turns them into 503); anything unknown is re-thrown
 * too (the guard fails closed with `internal_error`).
 *
 * @example
 * import { jwtVerify } from 'jose';
 * try { await jwtVerify(token, keys, { issuer, audience }); } catch (error) { return joseDeny(error); }
 */
export function joseDeny(error: unknown): Deny {
  if (error instanceof InfrastructureError) throw error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = (error as Error | null)?.message;
  if (typeof code === 'string') {
    if (OUTAGE.has(code))
      throw new InfrastructureError('jwks_unavailable', `key source failed: ${message}`, { cause: error });
    if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED')
      return claimDeny(error as { claim?: unknown; reason?: unknown }, message);
    const reason = BY_CODE[code];
    if (reason) return deny(reason, { jose: code, message });
  }
  // jose throws TypeError when the key found cannot verify this token's `alg` (wrong type, RSA < 2048 bits).
  if (error instanceof TypeError) return deny('token_key_unknown', { jose: 'TypeError', message });
  throw error;
}

function claimDeny(error: { claim?: unknown; reason?: unknown }, message: string | undefined): Deny {
  // `failure`: jose's word for what failed (`missing`, `invalid`, `check_failed`); `check` is the step's, stamped by
  // the engine.
  const detail = { jose: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: error.claim, failure: error.reason, message };
  return deny(claimReason(error.claim, error.reason), detail);
}

function claimReason(claim: unknown, check: unknown): ReasonCode {
  if (check === 'missing' || check === 'invalid') return 'token_claims_invalid';
  switch (claim) {
    case 'iss':
      return 'token_issuer_untrusted';
    case 'aud':
      return 'token_audience_mismatch';
    case 'typ':
      return 'token_header_invalid';
    case 'nbf':
    case 'iat':
      return 'token_not_yet_valid';
    case 'exp':
      return 'token_expired';
    default:
      return 'token_claims_invalid';
  }
}
