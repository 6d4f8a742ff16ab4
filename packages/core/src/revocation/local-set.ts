import type { AapClaims } from '../claims/model.js';
import type { LineageInput, Revocation, RevocationEvent, RevocationKind, RevocationStore } from '../stores/revocations.js';
import { AncestorCache } from './ancestors.js';
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
  /** The entry that revokes a token with these ancestors (`jti` or `parent` entries of `issuer`), if any. */
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
}

type Scope = Map<RevocationKind, Map<string, Revocation>>;

/**
 * Follow a revocation store into a local set.
 *
 * @example
 * const local = followRevocations(memoryRevocations(), { lineageSize: 10_000, lineage, now: Date.now });
 * await local.match(claims, tokenHash, Date.now()); // undefined, or the revocation that applies
 */
export function followRevocations(store: RevocationStore, options: FollowOptions): LocalRevocations {
  /** Issuer ('' = entries that name every issuer) → kind → value → entry. */
  const scopes = new Map<string, Scope>();
  const ancestors = options.lineageSize > 0 ? new AncestorCache(options.lineageSize, options.lineage) : undefined;
  const waiters = syncWaiters();
  let synced = false;
  let cause: string | undefined;
  const apply = (entry: Revocation): void => {
    const issuer = entry.issuer ?? '';
    let scope = scopes.get(issuer);
    if (!scope) scopes.set(issuer, (scope = new Map()));
    let map = scope.get(entry.kind);
    if (!map) scope.set(entry.kind, (map = new Map()));
    const known = map.get(entry.value);
    if (!known || known.until < entry.until) map.set(entry.value, entry);
  };
  const onEvent = (event: RevocationEvent): void => {
    if (event.type === 'added') return apply(event.entry);
    if (event.type === 'unsynced') {
      synced = false;
      cause = event.cause ?? cause;
      return;
    }
    prune(scopes, options.now());
    for (const entry of event.entries) apply(entry); // merged, never replaced
    synced = true;
    cause = undefined;
    waiters.wake();
  };
  const unsubscribe = store.subscribe(onEvent);
  const byAncestors = (issuer: string, chain: readonly string[], now: number): Revocation | undefined => {
    const own = scopes.get(issuer);
    const all = scopes.get('');
    if (!own && !all) return undefined;
    for (const ancestor of chain) {
      const hit = find(own, 'jti', ancestor, now) ?? find(own, 'parent', ancestor, now) ?? find(all, 'jti', ancestor, now) ?? find(all, 'parent', ancestor, now);
      if (hit) return hit;
    }
    return undefined;
  };

  return {
    get synced() {
      return synced;
    },
    get cause() {
      return cause;
    },
    match(claims, tokenHash, now) {
      const iss = claims.iss;
      const direct = byOwnKeys(scopes.get(iss), claims, now) ?? byOwnKeys(scopes.get(''), claims, now);
      const parent = claims.delegation?.parent_jti;
      if (direct || parent === undefined) return direct;
      if (!ancestors) return byAncestors(iss, [parent], now);
      const chain = ancestors.of(claims, parent, tokenHash, now);
      return chain instanceof Promise ? chain.then((found) => byAncestors(iss, found, now)) : byAncestors(iss, chain, now);
    },
    matchAncestors: byAncestors,
    apply,
    whenSynced: (given = {}) => (synced ? Promise.resolve() : waiters.wait(given.timeoutMs, () => cause)),
    close() {
      unsubscribe();
      waiters.close();
    },
  };
}

/** The entry of one scope that names this token by its own keys (no scope: none). */
function byOwnKeys(scope: Scope | undefined, claims: AapClaims, now: number): Revocation | undefined {
  if (!scope) return undefined;
  return (
    find(scope, 'jti', claims.jti, now) ??
    find(scope, 'task', claims.task.id, now) ??
    find(scope, 'agent', claims.agent.id, now) ??
    find(scope, 'grant', grantOf(claims), now) ??
    find(scope, 'sub', claims.sub, now) ??
    find(scope, 'operator', claims.agent.operator, now)
  );
}

/** The live entry of `kind`/`value` in one scope; an expired one is dropped on the way. */
function find(scope: Scope | undefined, kind: RevocationKind, value: string | undefined, now: number): Revocation | undefined {
  if (value === undefined) return undefined;
  const map = scope?.get(kind);
  const entry = map?.get(value);
  if (!entry) return undefined;
  if (entry.until > now) return entry;
  map?.delete(value);
  return undefined;
}

/** Drop expired entries (on each sync: the set is walked then anyway). */
function prune(scopes: Map<string, Scope>, now: number): void {
  for (const scope of scopes.values()) {
    for (const map of scope.values()) for (const [value, entry] of map) if (entry.until <= now) map.delete(value);
  }
}

/** The `grant_id` claim (not an AAP claim: kept in `extra`), when it is a string. */
function grantOf(claims: AapClaims): string | undefined {
  const grant = claims.extra.grant_id;
  return typeof grant === 'string' ? grant : undefined;
}
