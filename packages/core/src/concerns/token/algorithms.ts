/**
 * Default access-token algorithms: asymmetric only (draft "Cryptographic Algorithms": AS MUST NOT use
 * HS256/384/512; RFC 8725 §3.1 / §2.1). `Ed25519` is the fully-specified name of EdDSA on Ed25519.
 */
export const DEFAULT_ALGORITHMS: readonly string[] = Object.freeze([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
]);

const SUPPORTED: ReadonlySet<string> = new Set(DEFAULT_ALGORITHMS);

/**
 * Validate `options.algorithms` once: a non-empty list of supported asymmetric JWS algorithms.
 * `none` and HMAC (`HS*`) are a `TypeError` — a shared secret would let every RS forge tokens.
 *
 * @example
 * resolveAlgorithms(['ES256']) // ['ES256']
 * resolveAlgorithms(['HS256']) // throws TypeError
 */
export function resolveAlgorithms(value: unknown): readonly string[] {
  if (value === undefined) return DEFAULT_ALGORITHMS;
  if (!Array.isArray(value) || value.length === 0)
    throw new TypeError('options.algorithms must be a non-empty array of JWS algorithm names');
  for (const alg of value) {
    if (typeof alg !== 'string') throw new TypeError('options.algorithms must contain strings');
    if (alg.toLowerCase() === 'none' || /^HS/i.test(alg)) {
      throw new TypeError(
        `options.algorithms must not contain "${alg}": access tokens are signed asymmetrically (RFC 8725 §3.1, draft "Cryptographic Algorithms")`,
      );
    }
    if (!SUPPORTED.has(alg))
      throw new TypeError(
        `options.algorithms: unsupported algorithm "${alg}" (supported: ${[...SUPPORTED].join(', ')})`,
      );
  }
  return Object.freeze([...new Set(value as string[])]);
}
