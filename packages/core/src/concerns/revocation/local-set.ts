import type { AapClaims } from '../../base/claims/model.js';
import type {
  DistrustedKey,
  LineageInput,
  Revocation,
  RevocationEvent,
  RevocationStore,
  TokenRecord,
  TokenRecordInput,
} from '../../base/stores/revocations.js';
import { AncestorCache, type RecordSources, type TokenLineage } from './ancestors.js';
import { RevocationScopes } from './scopes.js';
import { syncWaiters } from './sync-waiters.js';

/**
 * The replica's local copy of the revocation set: per issuer, one Map per key kind, so a request costs a
 * handful of Map lookups and no store round trip. Kept current by the store's events; `synced` is false
 * from a disconnect until the store has delivered the full set again — which is MERGED in, never a
 * replacement: an entry heard by pub/sub while the set was being read stays (revocations are never
 * withdrawn, they only expire).
 */
export interface LocalRevocations {
  readonly synced: boolean;
  /** Why the copy is not in sync, as the store last said (undefined when in sync or not yet told). */
  readonly cause: string | undefined;
  /** The entry that revokes this token by its own keys (jti, task, agent, grant, user, operator), if any. */
  matchOwn(claims: AapClaims, now: number): Revocation | undefined;
  /**
   * What the store knows of the token: its ancestors and its parent's capabilities (`TokenLineage`). A token
   * seen for the first time costs one store call (`record()`, or `lineage()` for a delegated token), hence
   * a promise; after that it is cached with the token (by token hash). Undefined with lineage off.
   */
  lineageOf(
    claims: AapClaims,
    tokenHash: string | undefined,
    now: number,
  ): TokenLineage | undefined | Promise<TokenLineage>;
  /**
   * The key distrusted for this issuer and `kid`, if any; with `kid` undefined (a token naming no key), any
   * key distrusted for the issuer — which key verified such a token cannot be told, so it fails closed.
   */
  distrusted(issuer: string, kid: string | undefined): DistrustedKey | undefined;
  /** The entry that revokes a token with these ancestors (`jti` or `parent` entries of `issuer`'s scope), if any. */
  matchAncestors(issuer: string, chain: readonly string[], now: number): Revocation | undefined;
  /** Apply an entry at once (the revoking replica does not wait for its own fan-out). */
  apply(entry: Revocation): void;
  /**
   * Resolves once the local copy is in sync with the store. With `timeoutMs`, rejects after that long with
   * an error naming the cause; always rejects once the guard is closed.
   */
  whenSynced(options?: { readonly timeoutMs?: number | undefined }): Promise<void>;
  close(): void;
}

/** How the local copy follows the store. */
export interface FollowOptions {
  /** Delegated tokens whose ancestors are cached (0: only `parent_jti` itself is checked, no lineage). */
  readonly lineageSize: number;
  /** The lineage lookup (the store's, or the guard's in-process one). */
  readonly lineage: (token: LineageInput) => Promise<readonly string[]>;
  /** The store's `record()` (capabilities of tokens seen, for the breadth of their children), if it has one. */
  readonly record?: ((token: TokenRecordInput) => Promise<TokenRecord>) | undefined;
  /** The guard's clock (ms). */
  readonly now: () => number;
  /**
   * The name of the issuer scope of an `iss` (see `issuerScopes`): entries and lineage are kept per scope —
   * one authorization server under several names is one (default: every issuer its own).
   */
  readonly scopeName?: ((issuer: string) => string) | undefined;
}

/**
 * Follow a revocation store into a local set.
 */
export function followRevocations(store: RevocationStore, options: FollowOptions): LocalRevocations {
  return new LocalCopy(store, options);
}

class LocalCopy implements LocalRevocations {
  readonly #scopes: RevocationScopes;
  readonly #ancestors: AncestorCache | undefined;
  readonly #waiters = syncWaiters();
  readonly #unsubscribe: () => void;
  /** Distrusted keys by issuer scope, then `kid`: replaced whole by each `keys` event. */
  #distrusted = new Map<string, Map<string, DistrustedKey>>();
  readonly #scopeName: (issuer: string) => string;
  #synced = false;
  #cause: string | undefined;

  constructor(
    store: RevocationStore,
    private readonly options: FollowOptions,
  ) {
    const scopeName = options.scopeName ?? ((issuer: string) => issuer);
    this.#scopeName = scopeName;
    this.#scopes = new RevocationScopes(scopeName);
    // Lineage per issuer scope too: a child minted under one name of an authorization server names a parent it
    // minted under another, and the grandparent's revocation must reach the grandchild whatever the names.
    const given = options.record;
    const sources: RecordSources = {
      lineage: (token) => options.lineage({ ...token, issuer: scopeName(token.issuer) }),
      record: given && ((token) => given({ ...token, issuer: scopeName(token.issuer) })),
    };
    this.#ancestors = options.lineageSize > 0 ? new AncestorCache(options.lineageSize, sources) : undefined;
    this.#unsubscribe = store.subscribe((event) => this.#onEvent(event));
  }

  get synced(): boolean {
    return this.#synced;
  }

  get cause(): string | undefined {
    return this.#cause;
  }

  matchOwn(claims: AapClaims, now: number): Revocation | undefined {
    return this.#scopes.byOwnKeys(claims, now);
  }

  lineageOf(
    claims: AapClaims,
    tokenHash: string | undefined,
    now: number,
  ): TokenLineage | undefined | Promise<TokenLineage> {
    return this.#ancestors?.of(claims, tokenHash, now);
  }

  distrusted(issuer: string, kid: string | undefined): DistrustedKey | undefined {
    if (this.#distrusted.size === 0) return undefined; // the usual case: one Map size read per request
    const keys = this.#distrusted.get(this.#scopeName(issuer));
    if (!keys) return undefined;
    if (kid !== undefined) return keys.get(kid);
    for (const key of keys.values()) return key;
    return undefined;
  }

  matchAncestors(issuer: string, chain: readonly string[], now: number): Revocation | undefined {
    return this.#scopes.byAncestors(issuer, chain, now);
  }

  apply(entry: Revocation): void {
    this.#scopes.apply(entry);
  }

  whenSynced(given: { readonly timeoutMs?: number | undefined } = {}): Promise<void> {
    return this.#synced ? Promise.resolve() : this.#waiters.wait(given.timeoutMs, () => this.#cause);
  }

  close(): void {
    this.#unsubscribe();
    this.#waiters.close();
  }

  #onEvent(event: RevocationEvent): void {
    if (event.type === 'added') return this.apply(event.entry);
    if (event.type === 'keys') return this.#applyKeys(event.keys);
    if (event.type === 'unsynced') {
      this.#synced = false;
      this.#cause = event.cause ?? this.#cause;
      return;
    }
    this.#scopes.prune(this.options.now());
    for (const entry of event.entries) this.apply(entry); // merged, never replaced
    this.#synced = true;
    this.#cause = undefined;
    this.#waiters.wake();
  }

  /**
   * The complete set of distrusted keys, replacing the previous one. Keyed by the issuer's SCOPE, like
   * revocations: the names sharing one key set are one authorization server, whose `kid` is the same key
   * under every name.
   */
  #applyKeys(keys: readonly DistrustedKey[]): void {
    const next = new Map<string, Map<string, DistrustedKey>>();
    for (const key of keys) {
      if (typeof key?.issuer !== 'string' || typeof key.kid !== 'string') continue;
      const scope = this.#scopeName(key.issuer);
      let kids = next.get(scope);
      if (!kids) next.set(scope, (kids = new Map()));
      kids.set(key.kid, key);
    }
    this.#distrusted = next;
  }
}
