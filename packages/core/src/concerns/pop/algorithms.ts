import { constants, type KeyObject } from 'node:crypto';

/** How one JWS `alg` is verified with `node:crypto` (RFC 7518 §3, RFC 8037 §3.1, RFC 9864). */
export interface ProofAlgorithm {
  /** Digest for `crypto.verify` (`null`: EdDSA signs the message itself). */
  readonly hash: 'sha256' | 'sha384' | 'sha512' | null;
  /** JWK `kty` the key must have. */
  readonly kty: 'EC' | 'RSA' | 'OKP';
  /** Allowed `crv` for EC / OKP keys. */
  readonly curves?: readonly string[];
  /** RSA padding: PKCS#1 v1.5 (RS*) or PSS with salt = hash length (PS*, RFC 7518 §3.5). */
  readonly pss?: number;
}

const ec = (hash: 'sha256' | 'sha384' | 'sha512', crv: string): ProofAlgorithm => ({ hash, kty: 'EC', curves: [crv] });
const rsa = (hash: 'sha256' | 'sha384' | 'sha512', pss?: number): ProofAlgorithm =>
  pss ? { hash, kty: 'RSA', pss } : { hash, kty: 'RSA' };

/**
 * The asymmetric algorithms a DPoP proof may use (RFC 9449 §4.3 step 5: never `none`, never a MAC).
 * `EdDSA` accepts Ed25519 and Ed448 keys; the fully specified `Ed25519` (RFC 9864) only Ed25519.
 *
 * @example
 * PROOF_ALGORITHMS.ES256 // { hash: 'sha256', kty: 'EC', curves: ['P-256'] }
 */
export const PROOF_ALGORITHMS: Readonly<Record<string, ProofAlgorithm>> = Object.freeze({
  ES256: ec('sha256', 'P-256'),
  ES384: ec('sha384', 'P-384'),
  ES512: ec('sha512', 'P-521'),
  RS256: rsa('sha256'),
  RS384: rsa('sha384'),
  RS512: rsa('sha512'),
  PS256: rsa('sha256', 32),
  PS384: rsa('sha384', 48),
  PS512: rsa('sha512', 64),
  EdDSA: { hash: null, kty: 'OKP', curves: ['Ed25519', 'Ed448'] },
  Ed25519: { hash: null, kty: 'OKP', curves: ['Ed25519'] },
});

/** Smallest RSA modulus accepted for a proof key (RFC 7518 §3.3: 2048 bits or larger). */
export const MIN_RSA_BITS = 2048;

/**
 * The key argument of `crypto.verify` for `alg`: JOSE signatures of ECDSA are raw `r || s`
 * (RFC 7518 §3.4), i.e. node's `ieee-p1363` encoding; PS* use PSS with the digest's length as salt.
 *
 * @example
 * import { verify } from 'node:crypto';
 * verify(alg.hash, data, verifyKey(alg, key), signature);
 */
export function verifyKey(alg: ProofAlgorithm, key: KeyObject) {
  if (alg.kty === 'EC') return { key, dsaEncoding: 'ieee-p1363' as const };
  if (alg.pss) return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.pss };
  return key;
}
