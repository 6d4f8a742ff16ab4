import { jwtVerify, type CryptoKey, type JWTHeaderParameters, type JWTPayload, type JWTVerifyOptions } from 'jose';
import { deny, type Deny } from '../../base/deny/deny.js';
import { joseDeny } from './errors.js';
import type { KeyGetter } from './key-source.js';

/** A token whose signature, header and registered claims passed. */
export interface VerifiedJwt {
  readonly payload: JWTPayload;
  readonly header: JWTHeaderParameters;
}

/**
 * Verify a compact JWS access token with jose's `jwtVerify`: algorithm allowlist (`none`/HMAC never
 * listed), `crit` (unknown extensions refused), key by `kid`/`alg` from our key source only, signature,
 * optional `typ`, `iss` (exact, several allowed), `aud` (any of ours), `exp` present and numeric.
 * Lifetimes are compared by the caller (lifetime.ts). A token typed `dpop+jwt` is refused whatever
 * else it claims (RFC 8725 §3.11: explicit typing keeps a DPoP proof from passing as an access token).
 */
export async function verifyJwt(
  token: string,
  keys: KeyGetter,
  options: JWTVerifyOptions,
): Promise<VerifiedJwt | Deny> {
  let verified: VerifiedJwt;
  try {
    const result = await jwtVerify(token, (header) => keys(header, token), options);
    verified = { payload: result.payload, header: result.protectedHeader };
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code !== 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') return joseDeny(error);
    const retried = await tryEachKey(token, error as AsyncIterable<CryptoKey>, options);
    if ('reason' in retried) return retried;
    verified = retried;
  }
  const typ = verified.header.typ;
  if (typeof typ === 'string' && /^(application\/)?dpop\+jwt$/i.test(typ)) return deny('token_header_invalid', { typ });
  return verified;
}

/** A token without `kid` and several candidate keys: try each (jose's documented pattern). */
async function tryEachKey(
  token: string,
  candidates: AsyncIterable<CryptoKey>,
  options: JWTVerifyOptions,
): Promise<VerifiedJwt | Deny> {
  for await (const key of candidates) {
    try {
      const result = await jwtVerify(token, key, options);
      return { payload: result.payload, header: result.protectedHeader };
    } catch (error) {
      if ((error as { code?: unknown } | null)?.code !== 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED')
        return joseDeny(error);
    }
  }
  return deny('token_signature_invalid', { jose: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', candidates: 'several' });
}
