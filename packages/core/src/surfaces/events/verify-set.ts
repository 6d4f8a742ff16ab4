import { decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import type { IssuerKeys } from '../../concerns/token/issuer-keys.js';
import type { TokenSettings } from '../../concerns/token/options.js';
import { InfrastructureError } from '../../base/util/errors.js';

/**
 * What one SET came to: applied, a duplicate (already applied), ignored (no event this RS acts on), refused, or an
 * outage.
 */
export type SetOutcome =
  | { readonly kind: 'applied' | 'duplicate' | 'ignored'; readonly jti: string }
  | { readonly kind: 'refused'; readonly jti?: string | undefined; readonly error: SetError }
  | { readonly kind: 'unavailable'; readonly jti?: string | undefined; readonly message: string };

/** RFC 8935 §2.4 error codes (the IANA "Security Event Token Error Codes" registry). */
export type SetErrorCode =
  'invalid_request' | 'invalid_key' | 'invalid_issuer' | 'invalid_audience' | 'authentication_failed' | 'access_denied';

/** A SET refused: the RFC 8935 §2.3 error body, and never anything applied. */
export interface SetError {
  readonly err: SetErrorCode;
  readonly description: string;
}

/** What verifying a SET needs: the guard's keys and algorithms, the receiver's audience and clock. */
export interface SetVerification {
  readonly token: Pick<TokenSettings, 'algorithms' | 'clockTolerance'> & { readonly keys: IssuerKeys };
  readonly audiences: readonly string[];
  readonly now: () => number;
  /** Seconds a SET's `iat` may lie in the past. */
  readonly maxAge: number;
}

/**
 * Verify a Security Event Token (RFC 8417) before anything of it is used: a JWS typed `secevent+jwt`
 * (§2.3, which also keeps an access token or an ID token from passing as a SET), signed by a trusted issuer
 * with that issuer's own keys and an allowed algorithm, `aud` naming this receiver, `iat` within `maxAge`
 * (and not in the future beyond the clock tolerance), a `jti`, and an `events` object of event objects.
 * Returns the payload, or the RFC 8935 error to answer; a key-source outage throws `InfrastructureError`.
 */
export async function verifySet(
  set: string,
  verification: SetVerification,
): Promise<{ readonly payload: JWTPayload } | { readonly error: SetError }> {
  const shape = malformed(set);
  if (shape) return { error: shape };
  const iss = decodeJwt(set).iss;
  const source = typeof iss === 'string' ? verification.token.keys.byIssuer.get(iss) : undefined;
  if (!source) return { error: fail('invalid_issuer', 'the SET issuer is not trusted') };
  const now = verification.now();
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(set, (header) => source.key(header, set), {
      algorithms: [...verification.token.algorithms],
      issuer: iss as string,
      audience: [...verification.audiences],
      typ: 'secevent+jwt',
      requiredClaims: ['iat', 'jti'],
      currentDate: new Date(now),
      clockTolerance: verification.token.clockTolerance,
    }));
  } catch (error) {
    if (error instanceof InfrastructureError) throw error;
    return { error: joseError(error) };
  }
  const dated = issuedWithin(payload.iat as number, now, verification);
  if (dated) return { error: dated };
  const events = payload.events;
  if (events === null || typeof events !== 'object' || Array.isArray(events) || Object.keys(events).length === 0) {
    return { error: fail('invalid_request', 'the SET has no events object (RFC 8417 §2.2)') };
  }
  return { payload };
}

/**
 * RFC 8417 §2.2 `iat`: no SET from the future beyond the clock tolerance (jose checks a future `iat` only
 * with `maxTokenAge`), none older than `maxAge`. The window bounds how long a SET can be accepted, and so
 * how long its replay marker must live (`acceptedUntil`). The descriptions name no time (RFC 8935 §2.3:
 * the answer is for the transmitter, and needs no clock reading of this server).
 */
function issuedWithin(iat: number, now: number, verification: SetVerification): SetError | undefined {
  const at = iat * 1000;
  const tolerance = verification.token.clockTolerance * 1000;
  if (at > now + tolerance) return fail('invalid_request', 'the SET is dated in the future');
  if (at < now - verification.maxAge * 1000) return fail('invalid_request', 'the SET was issued too long ago');
  return undefined;
}

/**
 * Until when (ms) a SET issued at `iat` (seconds) can be accepted by any replica of this guard: `maxAge`
 * after its `iat`, plus the clock tolerance for a replica whose clock lags. Its replay marker lives that long.
 *
 * @example
 * const ttlMs = acceptedUntil(payload.iat, verification) - verification.now();
 */
export function acceptedUntil(iat: number, verification: SetVerification): number {
  return (iat + verification.maxAge + verification.token.clockTolerance) * 1000;
}

/** Structure before keys: a compact JWS whose header says `secevent+jwt` and whose payload has an `iss`. */
function malformed(set: string): SetError | undefined {
  try {
    const typ = decodeProtectedHeader(set).typ;
    if (typeof typ !== 'string' || !/^(application\/)?secevent\+jwt$/i.test(typ))
      return fail('invalid_request', 'the SET is not typed secevent+jwt (RFC 8417 §2.3)');
    decodeJwt(set);
    return undefined;
  } catch {
    return fail('invalid_request', 'the request body cannot be parsed as a SET');
  }
}

/** jose failures → RFC 8935 codes: keys and signatures → invalid_key, claims → their code. */
function joseError(error: unknown): SetError {
  const { code, claim } = (error ?? {}) as { code?: unknown; claim?: unknown };
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') {
    if (claim === 'aud') return fail('invalid_audience', 'the SET audience does not name this receiver');
    if (claim === 'iss') return fail('invalid_issuer', 'the SET issuer is not trusted');
    return fail('invalid_request', `the SET claim ${String(claim)} is invalid`);
  }
  if (typeof code === 'string' && /^ERR_(JWS_SIGNATURE|JWKS|JWK|JOSE_ALG)/.test(code))
    return fail('invalid_key', 'the SET signature or key is not acceptable');
  if (error instanceof TypeError) return fail('invalid_key', 'the SET key cannot verify its algorithm');
  return fail('invalid_request', 'the request body cannot be parsed as a SET');
}

function fail(err: SetErrorCode, description: string): SetError {
  return { err, description };
}
