import { LRUCache } from 'lru-cache';
import type { AapClaims, Capability } from '../../base/claims/model.js';
import type { LineageInput, TokenRecord, TokenRecordInput } from '../../base/stores/revocations.js';

/** A token may be admitted up to `exp` + the clock tolerance (at most 300 s): keep its ancestors that long. */
const TOLERANCE_MS = 300_000;

/**
 * What the store told of a token at its first sight here: its ancestors, nearest first, and — for a
 * delegated token — its parent's capabilities as some replica recorded them. One frozen object per token
 * and replica (cached with it), so a verdict computed from it can be cached beside it (a WeakMap).
 */
export interface TokenLineage {
  /** Ancestors, nearest first (empty for a token that is not delegated). */
  readonly chain: readonly string[];
  /**
   * The parent's capabilities: undefined when unknown — no replica recorded the parent (seen by none, expired,
   * the memory store restarted), or the store keeps no capabilities (no `record()`).
   */
  readonly parent: readonly Capability[] | undefined;
}

interface Known {
  readonly lineage: TokenLineage;
  readonly notAfter: number;
}

/** How the cache asks the store: `record()` when the store has it, else `lineage()` (delegated tokens only). */
export interface RecordSources {
  readonly lineage: (token: LineageInput) => Promise<readonly string[]>;
  readonly record: ((token: TokenRecordInput) => Promise<TokenRecord>) | undefined;
}

const ROOT: TokenLineage = Object.freeze({ chain: Object.freeze([]), parent: undefined });

/**
 * What the store knows of the tokens this replica has seen, by token hash: the first request of a token
 * costs one store call (`record()`: records its capabilities — and, delegated, `jti → parent_jti` — and
 * returns its ancestors and its parent's capabilities; without `record()`, `lineage()` for delegated tokens
 * only); every later one a map lookup, until the token expires. Concurrent first requests of one token share
 * that one call. At most `max` tokens (LRU): a token pushed out costs one more call when it comes back.
 */
export class AncestorCache {
  readonly #known: LRUCache<string, Known>;
  readonly #pending = new Map<string, Promise<TokenLineage>>();

  constructor(
    max: number,
    private readonly sources: RecordSources,
  ) {
    this.#known = new LRUCache<string, Known>({ max });
  }

  /**
   * The token's lineage: at once when known (or nothing to ask: a root token and a store without `record()`,
   * or a token with neither `jti` nor parent), else a promise of the store's answer.
   */
  of(claims: AapClaims, tokenHash: string | undefined, now: number): TokenLineage | Promise<TokenLineage> {
    const parent = claims.delegation?.parent_jti;
    const record = this.sources.record;
    if (parent === undefined && (record === undefined || claims.jti === undefined)) return ROOT;
    if (tokenHash === undefined) return this.#lookup(claims, parent, now); // no identity to cache it under
    const known = this.#known.get(tokenHash);
    if (known && known.notAfter >= now) return known.lineage;
    const pending = this.#pending.get(tokenHash);
    if (pending) return pending;
    const found = this.#lookup(claims, parent, now)
      .then((lineage) => {
        this.#known.set(tokenHash, { lineage, notAfter: claims.exp * 1000 + TOLERANCE_MS });
        return lineage;
      })
      .finally(() => this.#pending.delete(tokenHash));
    this.#pending.set(tokenHash, found);
    return found;
  }

  async #lookup(claims: AapClaims, parent: string | undefined, now: number): Promise<TokenLineage> {
    const until = claims.exp * 1000;
    const { record, lineage } = this.sources;
    if (record === undefined) {
      const chain = await lineage({ issuer: claims.iss, jti: claims.jti, parent: parent as string, until, now });
      return Object.freeze({ chain: Object.freeze([...chain]), parent: undefined });
    }
    const capabilities = JSON.stringify(claims.capabilities);
    const answer = await record({ issuer: claims.iss, jti: claims.jti, parent, capabilities, until, now });
    return Object.freeze({
      chain: Object.freeze([...answer.chain]),
      parent: parent === undefined ? undefined : capabilitiesOf(answer.parent),
    });
  }
}

/** The recorded capabilities, parsed; a record that is not a list of capabilities counts as none (unknown). */
function capabilitiesOf(json: string | undefined): readonly Capability[] | undefined {
  if (json === undefined) return undefined;
  try {
    const value = JSON.parse(json) as unknown;
    if (!Array.isArray(value)) return undefined;
    const valid = value.every(
      (cap) => cap !== null && typeof cap === 'object' && typeof (cap as { action?: unknown }).action === 'string',
    );
    return valid ? Object.freeze(value as Capability[]) : undefined;
  } catch {
    return undefined;
  }
}
