import { PROOF_ALGORITHMS, type ProofAlgorithm } from './algorithms.js';

/** The members of a public JWK that identify the key, per key type (RFC 7638 §3.2; RFC 8037 §2). */
const PUBLIC_MEMBERS = { EC: ['crv', 'x', 'y'], RSA: ['e', 'n'], OKP: ['crv', 'x'] } as const;
/** Private or symmetric JWK members (RFC 7518 §6.2.2, §6.3.2, §6.4.1; RFC 8037 §2). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** A DPoP proof's protected header that passed the structural checks of RFC 9449 §4.3 steps 4–7. */
export interface ProofHeader {
  readonly alg: string;
  readonly spec: ProofAlgorithm;
  /** The public key, reduced to its identifying members (what is imported and thumbprinted). */
  readonly jwk: Readonly<Record<string, string>>;
}

/**
 * Decode and check the protected header of a DPoP proof: `typ` is `dpop+jwt` (RFC 9449 §4.2, media
 * type compared case-insensitively per RFC 7515 §4.1.9), `alg` is in the allowlist, no `crit`
 * (we understand no extension: RFC 7515 §4.1.11), and `jwk` is a public key of the type `alg`
 * needs, with no private member. Returns a problem string instead of throwing.
 *
 * @example
 * const header = parseProofHeader(proof.split('.')[0], new Set(['ES256']));
 * if ('problem' in header) return deny('dpop_proof_invalid', { problem: header.problem });
 */
export function parseProofHeader(
  segment: string,
  allowed: ReadonlySet<string>,
): ProofHeader | { readonly problem: string } {
  const header = decodeJson(segment);
  if (!header) return { problem: 'header is not base64url JSON object' };
  const typ = header.typ;
  if (typeof typ !== 'string' || !/^(application\/)?dpop\+jwt$/i.test(typ)) return { problem: 'typ is not dpop+jwt' };
  const alg = header.alg;
  const spec = typeof alg === 'string' && allowed.has(alg) ? PROOF_ALGORITHMS[alg] : undefined;
  if (!spec) return { problem: 'alg not allowed' };
  if (header.crit !== undefined) return { problem: 'crit not supported' };
  const jwk = publicJwk(header.jwk, spec);
  return typeof jwk === 'string' ? { problem: jwk } : { alg: alg as string, spec, jwk };
}

function publicJwk(value: unknown, spec: ProofAlgorithm): Record<string, string> | string {
  if (!isObject(value)) return 'jwk missing';
  if (value.kty !== spec.kty) return 'jwk kty does not fit alg';
  if (PRIVATE_MEMBERS.some((name) => name in value)) return 'jwk has private members';
  const jwk: Record<string, string> = { kty: spec.kty };
  for (const name of PUBLIC_MEMBERS[spec.kty]) {
    const member = value[name];
    if (typeof member !== 'string' || member.length === 0 || member.length > 1400) return `jwk.${name} invalid`;
    jwk[name] = member;
  }
  if (spec.curves && !spec.curves.includes(jwk.crv!)) return 'jwk crv does not fit alg';
  return jwk;
}

/** base64url → JSON object, or undefined. The charset is checked first: Buffer decoding is lenient. */
export function decodeJson(segment: string): Record<string, unknown> | undefined {
  if (!BASE64URL.test(segment)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
