import { LRUCache } from 'lru-cache';
import type { AapClaims } from '../../base/claims/model.js';
import type { LineageInput } from '../../base/stores/revocations.js';

/** A token may be admitted up to `exp` + the clock tolerance (at most 300 s): keep its ancestors that long. */
const TOLERANCE_MS = 300_000;

interface Known {
  readonly chain: readonly string[];
  readonly notAfter: number;
}

/**
 * The ancestors of the delegated tokens this replica has seen, by token hash: the first request of a
 * token costs one store call (`lineage()`: records `jti → parent_jti` and returns the ancestor chain);
 * every later one a map lookup, until the token expires. Concurrent first requests of one token share
 * that one call. At most `max` tokens (LRU): a token pushed out costs one more call when it comes back.
 */
export class AncestorCache {
  readonly #known: LRUCache<string, Known>;
  readonly #pending = new Map<string, Promise<readonly string[]>>();

  constructor(
    max: number,
    private readonly lineage: (token: LineageInput) => Promise<readonly string[]>,
  ) {
    this.#known = new LRUCache<string, Known>({ max });
  }

  /** The token's ancestors, nearest first: at once when known, else a promise of the store's answer. */
  of(claims: AapClaims, parent: string, tokenHash: string | undefined, now: number): readonly string[] | Promise<readonly string[]> {
    const until = claims.exp * 1000;
    const lookup = () => this.lineage({ issuer: claims.iss, jti: claims.jti, parent, until, now });
    if (tokenHash === undefined) return lookup(); // no identity to cache it under
    const known = this.#known.get(tokenHash);
    if (known && known.notAfter >= now) return known.chain;
    const pending = this.#pending.get(tokenHash);
    if (pending) return pending;
    const found = lookup()
      .then((chain) => {
        const frozen = Object.freeze([...chain]);
        this.#known.set(tokenHash, { chain: frozen, notAfter: until + TOLERANCE_MS });
        return frozen;
      })
      .finally(() => this.#pending.delete(tokenHash));
    this.#pending.set(tokenHash, found);
    return found;
  }
}
