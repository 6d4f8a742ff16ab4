import { memoryRecords } from './memory-lineage.js';
import type { DistrustedKey, Revocation, RevocationEvent, RevocationStore } from './revocations.js';

/** Options of `memoryRevocations()`. */
export interface MemoryRevocationsOptions {
  /** Clock used to drop expired entries, in ms (default `Date.now`; pass the guard's `now` in tests). */
  readonly now?: () => number;
  /**
   * Most lineage records of delegated tokens alive at once (default 100000); past it such tokens are refused
   * (503 `store_full`). The same budget bounds the capability records of tokens seen (`record()`); past it a
   * new token's capabilities are not recorded (its children then find no parent).
   */
  readonly maxLineage?: number;
}

/**
 * Revocations in process memory: always in sync, fanned out synchronously to every guard of this
 * process that shares the store, with the lineage of delegated tokens (`memoryRecords()`) shared the same
 * way. The default when the store brings no `revocations`. For several replicas use `redisRevocations()`
 * of `@aap-guard/redis`.
 *
 * Distrusted signing keys (`distrustKey()`) are shared the same way, by every guard of this process on
 * this store, until lifted — and lost with the process: after a restart, distrust them again (or keep them
 * in a shared store such as Redis, where they persist until lifted).
 *
 * @example
 * const revocations = memoryRevocations();
 * const a = createGuard({ ...options, store: { ...memoryStore(), revocations } });
 */
export function memoryRevocations(options: MemoryRevocationsOptions = {}): RevocationStore {
  const clock = options.now ?? Date.now;
  const { lineage, record } = memoryRecords(options.maxLineage ?? 100_000);
  const entries = new Map<string, Revocation>();
  const keys = new Map<string, DistrustedKey>();
  const keyList = (): DistrustedKey[] => [...keys.values()];
  const listeners = new Set<(event: RevocationEvent) => void>();
  const current = (now: number): Revocation[] => {
    const out: Revocation[] = [];
    for (const [key, entry] of entries) {
      if (entry.until <= now) entries.delete(key);
      else out.push(entry);
    }
    return out;
  };
  const tell = (listener: (event: RevocationEvent) => void, event: RevocationEvent): void => {
    try {
      listener(event);
    } catch {
      // a listener's fault is its own; the others still hear the event
    }
  };

  return {
    async add(entry) {
      const key = `${entry.kind}\u0000${entry.issuer ?? ''}\u0000${entry.value}`;
      const known = entries.get(key);
      const kept = known && known.until > entry.until ? known : Object.freeze({ ...entry });
      entries.set(key, kept);
      for (const listener of listeners) tell(listener, { type: 'added', entry: kept });
    },
    async snapshot(now) {
      return current(now);
    },
    lineage,
    record,
    async distrustKey(key) {
      keys.set(JSON.stringify([key.issuer, key.kid]), Object.freeze({ ...key }));
      const event: RevocationEvent = { type: 'keys', keys: keyList() };
      for (const listener of listeners) tell(listener, event);
    },
    async trustKey(issuer, kid) {
      const known = keys.delete(JSON.stringify([issuer, kid]));
      const event: RevocationEvent = { type: 'keys', keys: keyList() };
      for (const listener of listeners) tell(listener, event);
      return known;
    },
    async distrustedKeys() {
      return keyList();
    },
    subscribe(listener) {
      listeners.add(listener);
      tell(listener, { type: 'keys', keys: keyList() });
      tell(listener, { type: 'synced', entries: current(clock()) });
      return () => void listeners.delete(listener);
    },
    async close() {
      listeners.clear();
    },
  };
}
