import { memoryRecords, type MemoryRecords } from '../../base/stores/memory-lineage.js';
import { memoryRevocations } from '../../base/stores/memory-revocations.js';
import type { RevocationStore } from '../../base/stores/revocations.js';
import type { StoreRuntime } from '../../base/stores/runtime.js';
import type { Store } from '../../base/stores/store.js';
import { scopeOf, type IssuerScope } from '../token/issuer-scope.js';
import type { GuardOptions } from '../../base/types/options.js';
import { followRevocations, type LocalRevocations } from './local-set.js';

/** Revocation settings: validated once, frozen. */
export interface RevocationSettings {
  /** `until` of a revocation given none, relative to its time, in ms. */
  readonly defaultTtlMs: number;
}

/** Revocation's runtime: the revocation store and this replica's local copy of the set. */
export interface RevocationRuntime {
  readonly store: RevocationStore;
  readonly local: LocalRevocations;
}

/** Longest revocation accepted: one year (entries must expire; the Redis key carries the expiry). */
export const MAX_REVOCATION_MS = 366 * 86_400_000;

/**
 * Validate `options.revocation` once, pick the store (the store's own `revocations`, else memory — then
 * only guards sharing that memory store see each other's revocations), tell the store where to report
 * (`attach`, once, before anything connects) and start following it. Lineage of delegated tokens is the
 * revocation store's (`lineage()`), or kept in this process when it has none. Both are applied per issuer
 * scope (`scopes`): see `RevocationScopes`.
 */
export function resolveRevocationOptions(
  options: GuardOptions,
  store: Store,
  now: () => number,
  runtime: StoreRuntime,
  scopes: ReadonlyMap<string, IssuerScope> = new Map(),
): { readonly settings: RevocationSettings; readonly runtime: RevocationRuntime } {
  const given = options.revocation ?? {};
  if (typeof given !== 'object' || given === null) throw new TypeError('options.revocation must be an object');
  const ttl = given.defaultTtl ?? 86_400;
  if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl <= 0 || ttl * 1000 > MAX_REVOCATION_MS) {
    throw new TypeError('options.revocation.defaultTtl must be a positive number of seconds, at most one year');
  }
  const lineageSize = given.lineageSize ?? 10_000;
  if (!Number.isSafeInteger(lineageSize) || lineageSize < 0)
    throw new TypeError('options.revocation.lineageSize must be a non-negative integer');
  const revocations = store.revocations ?? memoryRevocations({ now });
  if (typeof revocations.subscribe !== 'function' || typeof revocations.add !== 'function') {
    throw new TypeError('options.store.revocations must implement the RevocationStore interface');
  }
  store.attach?.(runtime);
  revocations.attach?.(runtime);
  // A store with neither lineage() nor record() (a custom one): both kept in this process. One with lineage()
  // but no record() keeps no capabilities: a parent is then never known (options.delegation.unknownParent).
  const own = revocations.lineage ? undefined : memoryRecords(100_000);
  const lineage = revocations.lineage?.bind(revocations) ?? (own as MemoryRecords).lineage;
  const scopeName = (issuer: string): string => scopeOf(scopes, issuer).issuer;
  const record = revocations.record?.bind(revocations) ?? own?.record;
  const local = followRevocations(revocations, { lineageSize, lineage, record, now, scopeName });
  return {
    settings: Object.freeze({ defaultTtlMs: Math.round(ttl * 1000) }),
    runtime: Object.freeze({ store: revocations, local }),
  };
}
