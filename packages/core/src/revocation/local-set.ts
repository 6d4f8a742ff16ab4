import { LRUCache } from 'lru-cache';
import type { AapClaims } from '../claims/model.js';
import type { Revocation, RevocationEvent, RevocationKind, RevocationStore } from '../stores/revocations.js';

/** How many ancestors of a delegated token are looked up (RFC 8693 chains are short; the RS maximum applies anyway). */
const MAX_ANCESTORS = 16;

/**
 * The replica's local copy of the revocation set: one Map per key kind, so a request costs a handful of
 * Map lookups and no store round trip. Kept current by the store's events; `synced` is false from a
 * disconnect until the store has delivered the full set again.
 */
export interface LocalRevocations {
  readonly synced: boolean;
  /** The entry that revokes this token at `now`, if any. */
  match(claims: AapClaims, now: number): Revocation | undefined;
  /** Apply an entry at once (the revoking replica does not wait for its own fan-out). */
  apply(entry: Revocation): void;
  /** Resolves once the local copy is in sync with the store. */
  whenSynced(): Promise<void>;
  close(): void;
}

/**
 * Follow a revocation store into a local set. `lineageSize` bounds the map of `jti → parent_jti`
 * learned from delegated tokens seen by this replica: it lets a revoked token's grandchildren be denied
 * even though a token names only its direct parent (`delegation.parent_jti`).
 *
 * @example
 * const local = followRevocations(memoryRevocations(), { lineageSize: 10_000 });
 * local.match(claims, Date.now()); // undefined, or the revocation that applies
 */
export function followRevocations(store: RevocationStore, options: { readonly lineageSize: number }): LocalRevocations {
  const maps = new Map<RevocationKind, Map<string, Revocation>>(KINDS.map((kind) => [kind, new Map()]));
  const lineage = options.lineageSize > 0 ? new LRUCache<string, string>({ max: options.lineageSize }) : undefined;
  let synced = false;
  let waiters: (() => void)[] = [];
  const apply = (entry: Revocation): void => {
    const map = maps.get(entry.kind);
    const known = map?.get(entry.value);
    if (map && (!known || known.until < entry.until)) map.set(entry.value, entry);
  };
  const onEvent = (event: RevocationEvent): void => {
    if (event.type === 'added') return apply(event.entry);
    if (event.type === 'unsynced') return void (synced = false);
    for (const map of maps.values()) map.clear();
    for (const entry of event.entries) apply(entry);
    synced = true;
    for (const wake of waiters) wake();
    waiters = [];
  };
  const unsubscribe = store.subscribe(onEvent);
  const lookup = (kind: RevocationKind, value: string | undefined, now: number): Revocation | undefined => {
    if (value === undefined) return undefined;
    const map = maps.get(kind) as Map<string, Revocation>;
    const entry = map.get(value);
    if (!entry) return undefined;
    if (entry.until > now) return entry;
    map.delete(value);
    return undefined;
  };

  return {
    get synced() {
      return synced;
    },
    match(claims, now) {
      const parent = claims.delegation?.parent_jti;
      if (lineage && claims.jti !== undefined && parent !== undefined) lineage.set(claims.jti, parent);
      const direct =
        lookup('jti', claims.jti, now) ??
        lookup('task', claims.task.id, now) ??
        lookup('agent', claims.agent.id, now) ??
        lookup('grant', grantOf(claims), now);
      if (direct) return direct;
      let ancestor = parent;
      for (let i = 0; ancestor !== undefined && i < MAX_ANCESTORS; i += 1) {
        const hit = lookup('jti', ancestor, now) ?? lookup('parent', ancestor, now);
        if (hit) return hit;
        ancestor = lineage?.get(ancestor);
      }
      return undefined;
    },
    apply,
    whenSynced: () => (synced ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
    close: unsubscribe,
  };
}

const KINDS: readonly RevocationKind[] = ['jti', 'task', 'grant', 'agent', 'parent'];

/** The `grant_id` claim (not an AAP claim: kept in `extra`), when it is a string. */
function grantOf(claims: AapClaims): string | undefined {
  const grant = claims.extra.grant_id;
  return typeof grant === 'string' ? grant : undefined;
}
