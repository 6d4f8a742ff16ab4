import type { CryptoKey, JWK, JWSHeaderParameters, KeyObject } from 'jose';
import type { Logger } from '../../base/log/logger.js';

/** A verification key as jose accepts it (never a shared secret: HMAC is not allowed). */
export type VerificationKey = CryptoKey | KeyObject | JWK;

/**
 * Resolves the key of one token from its protected header (`kid`/`alg` only; `jku`, `x5u`, `x5c`, `jwk` are ignored).
 */
export type KeyGetter = (header: JWSHeaderParameters, token: string) => Promise<VerificationKey>;

/**
 * The state of one issuer's keys, for `guard.health()` and readiness probes. Times are on the guard's clock.
 *
 * @example
 * for (const { issuer, loaded, ageMs, lastError } of guard.health().issuers) console.log(issuer, loaded, ageMs,
 * lastError);
 */
export interface KeySourceStatus {
  /** Where the keys come from: `options.jwks` `{ keys }`, `{ uri }`, a key function, or RFC 8414 discovery. */
  readonly source: 'local' | 'remote' | 'function' | 'discovery';
  /** The JWKS URI (given, or once discovered). */
  readonly uri?: string | undefined;
  /** Whether a key set is at hand (local keys and key functions always are). */
  readonly loaded: boolean;
  /** Milliseconds since the key set was fetched. */
  readonly ageMs?: number | undefined;
  /** Past its freshness (`Cache-Control` or `cacheMaxAgeMs`): the next token needing it refreshes it. */
  readonly stale?: boolean | undefined;
  /** Keys in the set. */
  readonly keys?: number | undefined;
  /** Why the last fetch (of the JWKS or the metadata) failed; cleared by a successful one. */
  readonly lastError?: string | undefined;
  /** When it failed (ms). */
  readonly lastErrorAt?: number | undefined;
}

/**
 * Where one issuer's keys come from. Remote sources refresh themselves; the verified-token cache asks
 * `revalidate()` before trusting a cached token, so a key withdrawn by a refresh is never used again.
 */
export interface KeySource {
  /** The key of one token. */
  readonly key: KeyGetter;
  /**
   * `undefined` while the keys are fresh at `now`; else a promise settled once they were refreshed (rejects with an
   * `InfrastructureError` when no usable set is left).
   */
  revalidate(now: number): Promise<void> | undefined;
  /** Counts refreshes that withdrew keys: a verification that spans one is not cached. */
  readonly epoch: number;
  /** Load now (`guard.ready()`), past any backoff; resolves at once when fresh. */
  prefetch(): Promise<void>;
  /**
   * Load in the background (the guard's warm-up): resolves at once when a set is at hand and no fetch has
   * failed since; else fetches — within the failure backoff, never past it (a blocked attempt rejects).
   */
  warm(): Promise<void>;
  /** What is being fetched, for a timeout message ("JWKS https://…", "metadata of https://…"). */
  describe(): string;
  status(now: number): KeySourceStatus;
}

/** Which keys a refresh withdrew (by `kid`; tokens without `kid` are affected by any withdrawal). */
export type Withdrawn = (kids: ReadonlySet<string>) => number;

/** What a remote source needs from the guard: the clock, the logger, and how to evict cached tokens. */
export interface SourceContext {
  readonly now: () => number;
  readonly logger: Logger;
  /** The issuers whose tokens this source verifies (for log lines). */
  readonly issuers: readonly string[];
  /** Evict the cached tokens this source verified with the given `kid`s; returns how many. */
  readonly withdrawn: Withdrawn;
  /** `allowInsecureRequests`: http URLs on non-loopback hosts are accepted (base/util/secure-url.ts). */
  readonly allowInsecure: boolean;
}

/**
 * A source whose keys never change: a local JWKS or a key function.
 */
export function staticSource(key: KeyGetter, status: KeySourceStatus): KeySource {
  const frozen = Object.freeze({ ...status });
  return Object.freeze({
    key,
    revalidate: () => undefined,
    epoch: 0,
    prefetch: () => Promise.resolve(),
    warm: () => Promise.resolve(),
    describe: () => `${status.source} keys`,
    status: () => frozen,
  });
}
