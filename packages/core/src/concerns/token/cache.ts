import { LRUCache } from 'lru-cache';
import type { AapClaims } from '../../base/claims/model.js';
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
/** Characters of the token's tail that key the cache: 256 bits of an ES256/RS256 signature, base64url. */
const KEY_CHARS = 43;

interface Entry {
  readonly token: string;
  readonly verified: VerifiedToken;
}

const keyOf = (token: string): string => (token.length > KEY_CHARS ? token.slice(-KEY_CHARS) : token);

/**
 * A bounded LRU of verified tokens: at most `max` entries and 32 MiB of tokens, each entry dropped at the
 * token's `exp` at the latest (on the guard's clock). The caller still checks the lifetime against the
 * request time on every request.
 *
 * Entries are keyed by the token's last {@link KEY_CHARS} characters (of a JWS: its signature) and a hit
 * is confirmed by comparing the WHOLE token: each request's header is a new string, and hashing a
 * kilobyte token for a map lookup costs more than the rest of a cached check. A different token with the
 * same tail (say, a forged payload under a copied signature) is a miss and is verified in full.
 */
export class TokenCache {
  readonly #lru: LRUCache<string, Entry>;
  readonly #now: () => number;

  constructor(max: number, now: () => number) {
    this.#now = now;
    this.#lru = new LRUCache<string, Entry>({
      max,
      maxSize: MAX_BYTES,
      sizeCalculation: (entry) => entry.token.length,
      perf: { now },
      // No timer per lookup: read the clock each time instead (lru-cache caches `now` with a setTimeout otherwise).
      ttlResolution: 0,
    });
  }

  /** The verified token, if cached and not past its `exp`. */
  get(token: string): VerifiedToken | undefined {
    const entry = this.#lru.get(keyOf(token));
    return entry !== undefined && entry.token === token ? entry.verified : undefined;
  }

  /**
   * Forget the tokens `source` verified with a withdrawn `kid` (and, with anything withdrawn, those that
   * had no `kid`, whose key cannot be told). Runs once per key rotation, never per request.
   */
  evict(source: KeySource, kids: ReadonlySet<string>): number {
    const doomed: string[] = [];
    for (const [key, { verified }] of this.#lru.entries()) {
      if (verified.key.source === source && (verified.key.kid === undefined || kids.has(verified.key.kid)))
        doomed.push(key);
    }
    for (const key of doomed) this.#lru.delete(key);
    return doomed.length;
  }

  /** Cache a verified token until its `exp` (seconds); tokens already past `exp` are not cached. */
  set(token: string, verified: VerifiedToken, exp: number): void {
    const ttl = Math.floor(exp * 1000 - this.#now());
    if (ttl >= 1) this.#lru.set(keyOf(token), { token, verified }, { ttl });
  }
}
