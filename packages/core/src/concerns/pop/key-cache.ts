import { createPublicKey, type KeyObject } from 'node:crypto';
import { sha256 } from '../../base/util/hash.js';
import { LRUCache } from 'lru-cache';
import { MIN_RSA_BITS, verifyKey, type ProofAlgorithm } from './algorithms.js';
import { parseProofHeader } from './proof-header.js';

/** A proof key ready for verification: imported once, with its RFC 7638 thumbprint. */
export interface ProofKey {
  readonly alg: string;
  readonly spec: ProofAlgorithm;
  readonly key: KeyObject;
  /** RFC 7638 SHA-256 thumbprint of the key (what `cnf.jkt` holds). */
  readonly jkt: string;
  /** The key argument of `crypto.verify` for `alg` (`verifyKey`), made once with the key. */
  readonly verifyWith: ReturnType<typeof verifyKey>;
}

/** Resolves a proof's protected header to its imported key, or to the problem that refuses it. */
export interface ProofKeyCache {
  resolve(headerSegment: string): ProofKey | { readonly problem: string };
}

/**
 * A bounded LRU of imported DPoP proof keys. It is keyed by the proof's protected header segment
 * exactly as sent: a client sends the same header (`typ`, `alg`, `jwk`) with every proof, and the
 * header determines the key and hence its thumbprint, so a repeat costs one map lookup — no JSON
 * parse, no key import, no thumbprint hash. A miss parses the header, imports the public key with
 * `node:crypto` and computes its thumbprint. Only keys that imported cleanly are cached; a key the
 * cache evicts is simply imported again.
 *
 * @example
 * const keys = createProofKeyCache(['ES256'], 1000);
 * const key = keys.resolve(proof.slice(0, proof.indexOf('.')));
 * if ('problem' in key) return deny('dpop_proof_invalid', { problem: key.problem });
 */
export function createProofKeyCache(algorithms: readonly string[], max: number): ProofKeyCache {
  const allowed: ReadonlySet<string> = new Set(algorithms);
  const cache = new LRUCache<string, ProofKey>({ max });
  return {
    resolve(segment) {
      const hit = cache.get(segment);
      if (hit) return hit;
      const loaded = load(segment, allowed);
      if (!('problem' in loaded)) cache.set(segment, loaded);
      return loaded;
    },
  };
}

function load(segment: string, allowed: ReadonlySet<string>): ProofKey | { readonly problem: string } {
  const header = parseProofHeader(segment, allowed);
  if ('problem' in header) return header;
  let key: KeyObject;
  try {
    key = createPublicKey({ key: header.jwk, format: 'jwk' });
  } catch {
    return { problem: 'jwk could not be imported' };
  }
  if (key.type !== 'public') return { problem: 'jwk is not a public key' };
  if (header.spec.kty === 'RSA' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS)
    return { problem: 'RSA key too short' };
  const verifyWith = verifyKey(header.spec, key);
  return Object.freeze({ alg: header.alg, spec: header.spec, key, jkt: thumbprint(header.jwk), verifyWith });
}

/**
 * RFC 7638 §3: SHA-256 over the JSON of the key's required members in lexicographic order, no
 * whitespace. `parseProofHeader` already reduced the JWK to exactly those members (all strings).
 */
function thumbprint(jwk: Readonly<Record<string, string>>): string {
  const members = Object.keys(jwk)
    .sort()
    .map((name) => `${JSON.stringify(name)}:${JSON.stringify(jwk[name])}`);
  return sha256(`{${members.join(',')}}`);
}
