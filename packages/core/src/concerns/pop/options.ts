import type { DpopMode, PopRequirement } from '../../base/types/route.js';
import type { GuardOptions } from '../../base/types/options.js';
import { PROOF_ALGORITHMS } from './algorithms.js';
import { createProofKeyCache, type ProofKeyCache } from './key-cache.js';
import { createNonceIssuer, type NonceIssuer } from './nonce.js';

const MODES: readonly DpopMode[] = ['required', 'optional', 'disabled'];
const REQUIREMENTS: readonly PopRequirement[] = ['required', 'by-risk', 'optional'];
const DEFAULT_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'RS256', 'PS256', 'EdDSA'] as const;
/** Imported proof keys kept (one per active client key). */
const KEY_CACHE_SIZE = 1000;
/** Largest DPoP header value parsed (a proof with an RSA-4096 `jwk` is about 1.5 kB). */
const MAX_PROOF_SIZE = 8192;

/** Proof-of-possession settings (RFC 9449, RFC 8705): validated once, frozen data. */
export interface PopSettings {
  /**
   * Whether the DPoP scheme is accepted (`dpop.mode: 'required'` is read as `optional` plus `requirement: 'required'`).
   */
  readonly dpopMode: Exclude<DpopMode, 'required'>;
  /** When an unbound token is refused (`options.pop`, or the deprecated `dpop.mode: 'required'`). */
  readonly requirement: PopRequirement;
  /** The reason a guard-wide `required` refuses with: `dpop_required` when it was asked under its deprecated name. */
  readonly requiredReason: 'pop_required' | 'dpop_required';
  /** Allowed proof `alg` values; also advertised in the challenge's `algs` (RFC 9449 §7.1). */
  readonly dpopAlgorithms: readonly string[];
  /** Seconds a proof's `iat` may lie in the past. */
  readonly maxAge: number;
  /** Seconds a proof's `iat` may lie in the future. */
  readonly leeway: number;
  /**
   * How long the consume step remembers a proof `jti`: a proof admitted at `t` carries `iat ≤ t + leeway`
   * and stays acceptable up to and INCLUDING `iat + maxAge`; stores expire a key AT its TTL, so one more
   * second keeps the entry strictly past the last instant the proof could be replayed (RFC 9449 §11.1).
   */
  readonly replayTtlMs: number;
  readonly maxProofSize: number;
}

/** Proof of possession's runtime: this guard's cache of imported proof keys, its nonce issuer. */
export interface PopRuntime {
  /** Imported proof keys, by protected header (this guard's own LRU). */
  readonly keys: ProofKeyCache;
  /** Server nonces (RFC 9449 §9), when `options.dpop.nonce` is set. */
  readonly nonces: NonceIssuer | undefined;
}

/**
 * Validate `options.dpop` once; `TypeError` naming the option on misconfiguration.
 */
export function resolvePopOptions(options: GuardOptions): {
  readonly settings: PopSettings;
  readonly runtime: PopRuntime;
} {
  const dpop = options.dpop ?? {};
  if (typeof dpop !== 'object' || dpop === null) throw new TypeError('options.dpop must be an object');
  const mode = dpop.mode ?? 'optional';
  if (!MODES.includes(mode)) throw new TypeError(`options.dpop.mode must be one of ${MODES.join(', ')}`);
  const requirement = popRequirement(options.pop, mode);
  const dpopAlgorithms = algorithms(dpop.algorithms);
  const maxAge = seconds(dpop.maxAge, 60, 'maxAge', 1);
  const leeway = seconds(dpop.leeway, 5, 'leeway', 0);
  const settings: PopSettings = Object.freeze({
    dpopMode: mode === 'required' ? 'optional' : mode,
    requirement,
    requiredReason: options.pop === undefined && mode === 'required' ? 'dpop_required' : 'pop_required',
    dpopAlgorithms,
    maxAge,
    leeway,
    replayTtlMs: (maxAge + leeway + 1) * 1000,
    maxProofSize: MAX_PROOF_SIZE,
  });
  const runtime: PopRuntime = Object.freeze({
    keys: createProofKeyCache(dpopAlgorithms, KEY_CACHE_SIZE),
    nonces: dpop.nonce === undefined ? undefined : nonces(dpop.nonce),
  });
  return { settings, runtime };
}

/** `options.pop`, or what the deprecated `dpop.mode: 'required'` asks (proof of possession, by DPoP or mTLS). */
function popRequirement(pop: unknown, mode: DpopMode): PopRequirement {
  if (pop !== undefined && !REQUIREMENTS.includes(pop as PopRequirement))
    throw new TypeError(`options.pop must be one of ${REQUIREMENTS.join(', ')}`);
  if (mode !== 'required') return (pop as PopRequirement | undefined) ?? 'optional';
  if (pop !== undefined && pop !== 'required') {
    throw new TypeError(
      `options.dpop.mode 'required' (deprecated: it means options.pop 'required') contradicts options.pop '${String(pop)}'`,
    );
  }
  return 'required';
}

function algorithms(value: unknown): readonly string[] {
  if (value === undefined) return Object.freeze([...DEFAULT_ALGORITHMS]);
  if (!Array.isArray(value) || value.length === 0)
    throw new TypeError('options.dpop.algorithms must be a non-empty array');
  for (const alg of value) {
    if (typeof alg !== 'string' || !Object.hasOwn(PROOF_ALGORITHMS, alg)) {
      throw new TypeError(
        `options.dpop.algorithms: ${JSON.stringify(alg)} is not a supported asymmetric algorithm (${Object.keys(PROOF_ALGORITHMS).join(', ')})`,
      );
    }
  }
  return Object.freeze([...new Set(value as string[])]);
}

function seconds(value: unknown, fallback: number, name: string, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > 3600) {
    throw new TypeError(`options.dpop.${name} must be a number of seconds between ${min} and 3600`);
  }
  return value;
}

function nonces(value: { readonly secret: unknown; readonly lifetime?: unknown }): NonceIssuer {
  if (typeof value !== 'object' || value === null)
    throw new TypeError('options.dpop.nonce must be { secret, lifetime? }');
  const secret = typeof value.secret === 'string' ? new TextEncoder().encode(value.secret) : value.secret;
  if (!(secret instanceof Uint8Array) || secret.byteLength < 32) {
    throw new TypeError('options.dpop.nonce.secret must be a string or Uint8Array of at least 32 bytes');
  }
  const lifetime = value.lifetime ?? 300;
  if (typeof lifetime !== 'number' || !Number.isFinite(lifetime) || lifetime < 1 || lifetime > 86400) {
    throw new TypeError('options.dpop.nonce.lifetime must be a number of seconds between 1 and 86400');
  }
  return createNonceIssuer(Uint8Array.from(secret), lifetime);
}
