import type { AapClaims } from '../../base/claims/model.js';
import type { LineageInput, Revocation, RevocationEvent, RevocationStore } from '../../base/stores/revocations.js';
import { AncestorCache } from './ancestors.js';
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
  /**
   * The entry that revokes this token at `now` — by its own keys or through an ancestor — if any. A
   * delegated token seen for the first time costs one store call (its lineage), hence a promise; after
   * that its ancestors are cached with it (by token hash) and checked with Map lookups.
   */
  match(claims: AapClaims, tokenHash: string | undefined, now: number): Revocation | undefined | Promise<Revocation | undefined>;
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
  #synced = false;
  #cause: string | undefined;

  constructor(
    store: RevocationStore,
    private readonly options: FollowOptions,
  ) {
    const scopeName = options.scopeName ?? ((issuer: string) => issuer);
    this.#scopes = new RevocationScopes(scopeName);
    // Lineage per issuer scope too: a child minted under one name of an authorization server names a parent it
    // minted under another, and the grandparent's revocation must reach the grandchild whatever the names.
    const lineage = (token: LineageInput) => options.lineage({ ...token, issuer: scopeName(token.issuer) });
    this.#ancestors = options.lineageSize > 0 ? new AncestorCache(options.lineageSize, lineage) : undefined;
    this.#unsubscribe = store.subscribe((event) => this.#onEvent(event));
  }

  get synced(): boolean {
    return this.#synced;
  }

  get cause(): string | undefined {
    return this.#cause;
  }

  match(claims: AapClaims, tokenHash: string | undefined, now: number): Revocation | undefined | Promise<Revocation | undefined> {
    const direct = this.#scopes.byOwnKeys(claims, now);
    const parent = claims.delegation?.parent_jti;
    if (direct || parent === undefined) return direct;
    if (!this.#ancestors) return this.matchAncestors(claims.iss, [parent], now);
    const chain = this.#ancestors.of(claims, parent, tokenHash, now);
    return chain instanceof Promise ? chain.then((found) => this.matchAncestors(claims.iss, found, now)) : this.matchAncestors(claims.iss, chain, now);
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
}
