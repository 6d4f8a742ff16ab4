import { LRUCache } from 'lru-cache';
import type { AapClaims } from '../claims/model.js';
import type { KeySource } from './key-source.js';
import type { Lifetime } from './lifetime.js';

/** What a verified token leaves behind: everything a repeat request needs, computed once. */
export interface VerifiedToken extends Lifetime {
  /** Normalized, deeply frozen claims. */
  readonly claims: AapClaims;
  /** base64url SHA-256 of the token (RFC 9449 §4.2 `ath`). */
  readonly tokenHash: string;
  /** The key source that verified it and the token's `kid`: a refresh that withdraws that key evicts the entry. */
  readonly key: { readonly source: KeySource; readonly kid: string | undefined };
}

/** Total token bytes the cache may hold (tokens are ASCII: length = bytes). */
const MAX_BYTES = 32 * 1024 * 1024;

/**
 * A bounded LRU of verified tokens keyed by the token string: at most `max` entries and 32 MiB of
 * tokens, each entry dropped at the token's `exp` at the latest (on the guard's clock). A hit costs a
 * map lookup; the caller still checks the lifetime against the request time on every request.
 *
 * @example
 * const cache = new TokenCache(10_000, Date.now);
 * cache.set(token, verified, exp);
 * const hit = cache.get(token);
 */
export class TokenCache {
  readonly #lru: LRUCache<string, VerifiedToken>;
  readonly #now: () => number;

  constructor(max: number, now: () => number) {
    this.#now = now;
    this.#lru = new LRUCache<string, VerifiedToken>({
      max,
      maxSize: MAX_BYTES,
      sizeCalculation: (_value, token) => token.length,
      perf: { now },
      // No timer per lookup: read the clock each time instead (lru-cache caches `now` with a setTimeout otherwise).
      ttlResolution: 0,
    });
  }

  /** The verified token, if cached and not past its `exp`. */
  get(token: string): VerifiedToken | undefined {
    return this.#lru.get(token);
  }

  /** Whether the token is cached and not past its `exp` (no recency update). */
  has(token: string): boolean {
    return this.#lru.has(token);
  }

  /**
   * Forget the tokens `source` verified with a withdrawn `kid` (and, with anything withdrawn, those that
   * had no `kid`, whose key cannot be told). Runs once per key rotation, never per request.
   */
  evict(source: KeySource, kids: ReadonlySet<string>): number {
    const doomed: string[] = [];
    for (const [token, entry] of this.#lru.entries()) {
      if (entry.key.source === source && (entry.key.kid === undefined || kids.has(entry.key.kid))) doomed.push(token);
    }
    for (const token of doomed) this.#lru.delete(token);
    return doomed.length;
  }

  /** Cache a verified token until its `exp` (seconds); tokens already past `exp` are not cached. */
  set(token: string, verified: VerifiedToken, exp: number): void {
    const ttl = Math.floor(exp * 1000 - this.#now());
    if (ttl >= 1) this.#lru.set(token, verified, { ttl });
  }
}
