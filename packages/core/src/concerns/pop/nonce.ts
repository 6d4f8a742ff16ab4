import { createHmac, timingSafeEqual } from 'node:crypto';

/** Bytes of HMAC-SHA256 kept in a nonce (128 bits: unguessable, short on the wire). */
const NONCE_BYTES = 16;

/** Stateless DPoP server nonces (RFC 9449 §9). */
export interface NonceIssuer {
  /** The nonce of the time bucket containing `now` (ms): send it as `DPoP-Nonce`. */
  current(now: number): string;
  /** `current`: from this bucket; `previous`: from the one before (accepted; send a fresh one); `invalid`: refuse. */
  check(nonce: unknown, now: number): 'current' | 'previous' | 'invalid';
}

/**
 * Server nonces without server state: a nonce is HMAC-SHA256(secret, bucket) with
 * `bucket = floor(now / lifetime)`, so every replica configured with the same secret issues and
 * accepts the same nonces. A nonce is accepted in its own bucket and the next one (so it lives
 * between `lifetime` and twice `lifetime`). The two current values are memoized per bucket, so a
 * request costs one string comparison, not an HMAC.
 *
 * @example
 * const nonces = createNonceIssuer(secret, 300);
 * res.setHeader('DPoP-Nonce', nonces.current(Date.now()));
 * nonces.check(proof.nonce, Date.now()); // 'current' | 'previous' | 'invalid'
 */
export function createNonceIssuer(secret: Uint8Array, lifetimeS: number): NonceIssuer {
  const bucketMs = lifetimeS * 1000;
  const sign = (bucket: number) =>
    createHmac('sha256', secret).update(`dpop-nonce:${bucket}`).digest().subarray(0, NONCE_BYTES);
  let memo: { bucket: number; current: Buffer; previous: Buffer; text: string } | undefined;
  const at = (now: number) => {
    const bucket = Math.floor(now / bucketMs);
    if (memo?.bucket !== bucket) {
      const current = sign(bucket);
      memo = { bucket, current, previous: sign(bucket - 1), text: current.toString('base64url') };
    }
    return memo;
  };
  return {
    current: (now) => at(now).text,
    check(nonce, now) {
      if (typeof nonce !== 'string' || nonce.length > 64) return 'invalid';
      const given = Buffer.from(nonce, 'base64url');
      if (given.length !== NONCE_BYTES || given.toString('base64url') !== nonce) return 'invalid';
      const memoized = at(now);
      if (timingSafeEqual(given, memoized.current)) return 'current';
      return timingSafeEqual(given, memoized.previous) ? 'previous' : 'invalid';
    },
  };
}
