import { LRUCache } from 'lru-cache';
import { memoryHolds } from './memory-holds.js';
import { memoryRevocations } from './memory-revocations.js';
import type { ConsumeRequest, ConsumeResult, Store, WindowSpec, WindowState } from './store.js';

/** Options of the embedded memory store. */
export interface MemoryStoreOptions {
  /** Most keys kept (windows and replay entries); the least recently used are evicted first (default 100000). */
  readonly maxKeys?: number;
  /**
   * Most entries kept in all (a key costs 1, a sliding window 1 + its timestamps); past it the least
   * recently used keys are evicted first (default 4000000: about 32 MB of timestamps).
   */
  readonly maxEntries?: number;
  /** Clock of the revocation set (default `Date.now`); pass the guard's `now` when you inject one. */
  readonly now?: () => number;
}

/** A sliding log (ascending admission times), a fixed-bucket counter, or a replay marker. */
type Entry = { times: number[]; expiresAt: number } | { count: number; expiresAt: number } | { expiresAt: number };

/** One window evaluated, before anything is recorded. */
interface Probe {
  readonly spec: WindowSpec;
  readonly key: string;
  readonly count: number;
  readonly times: number[] | undefined;
  /** When this window would admit a request (≤ now: admits now). */
  readonly admitAt: number;
  /** When this window regains quota, if it admits this request. */
  readonly resetAt: number;
}

/**
 * The embedded default store: exact and atomic within one process (JavaScript runs `consume()` to the
 * end without interleaving), with its own holds and revocations, so guards sharing one memory store
 * share those too. For several replicas use the Redis store.
 *
 * Memory bound, stated: at most `maxKeys` keys and `maxEntries` entries in all, whatever the tokens
 * say (idle keys are evicted first, LRU). A sliding window is an exact log of admission times: a key holds
 * at most N numbers (8 bytes each) for a limit of N, since a refused request records nothing, and only
 * those still inside the window; a fixed window or a replay key costs one entry. Evicting a live key
 * forgets its count, so size `maxEntries` above the traffic of one window. Entries also expire with their window, in the time base of the
 * requests' `now`, so an injected clock drives expiry too.
 *
 * @example
 * createGuard({ ...options, store: memoryStore({ maxKeys: 100_000 }) });
 */
export function memoryStore(options: MemoryStoreOptions = {}): Store {
  const maxKeys = options.maxKeys ?? 100_000;
  if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) throw new TypeError('memoryStore({ maxKeys }) must be a positive integer');
  if (options.now !== undefined && typeof options.now !== 'function') throw new TypeError('memoryStore({ now }) must be a function returning ms');
  const maxEntries = options.maxEntries ?? 4_000_000;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw new TypeError('memoryStore({ maxEntries }) must be a positive integer');
  const entries = new LRUCache<string, Entry>({ max: maxKeys, maxSize: maxEntries, sizeCalculation: entrySize });
  const holds = memoryHolds();
  const revocations = memoryRevocations({ now: options.now });
  const live = (key: string, now: number): Entry | undefined => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= now) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };

  return {
    holds,
    revocations,
    async consume(request: ConsumeRequest): Promise<ConsumeResult> {
      const { now, replay } = request;
      if (replay && live(replay.key, now)) return { ok: false, reason: 'replay' };
      const probes = request.windows.map((spec) => probe(spec, now, live, maxEntries - 1));
      const refused = refusing(probes, now);
      if (refused >= 0) {
        const admitAt = Math.max(...probes.map((p) => p.admitAt));
        return { ok: false, reason: 'limited', window: refused, retryAfterMs: admitAt - now, windows: probes.map((p) => state(p, now, false)) };
      }
      if (replay) entries.set(replay.key, { expiresAt: now + replay.ttlMs });
      for (const p of probes) record(entries, p, now);
      return { ok: true, windows: probes.map((p) => state(p, now, true)) };
    },
    async close() {
      entries.clear();
      await Promise.all([holds.close?.(), revocations.close?.()]);
    },
  };
}

/** An entry's share of `maxEntries`: its timestamps, plus one for the key. */
const entrySize = (entry: Entry): number => ('times' in entry ? entry.times.length : 0) + 1;

/**
 * Evaluate one window. A sliding log never grows past `maxLog` timestamps: a limit above it is counted as
 * `maxLog`, granting less than the token says rather than letting the LRU drop an oversized log.
 */
function probe(spec: WindowSpec, now: number, live: (key: string, now: number) => Entry | undefined, maxLog: number): Probe {
  if (spec.mode === 'fixed') {
    const bucket = Math.floor(now / spec.windowMs);
    const key = `${spec.key}:${bucket}`;
    const entry = live(key, now);
    const count = entry && 'count' in entry ? entry.count : 0;
    const end = (bucket + 1) * spec.windowMs;
    return { spec, key, count, times: undefined, admitAt: count >= spec.limit ? end : now, resetAt: end };
  }
  const entry = live(spec.key, now);
  const times = entry && 'times' in entry ? entry.times : [];
  const horizon = now - spec.windowMs;
  let expired = 0;
  while (expired < times.length && (times[expired] as number) <= horizon) expired += 1;
  if (expired > 0) times.splice(0, expired);
  const count = times.length;
  const limit = Math.min(spec.limit, maxLog);
  // The (count - limit + 1)-th oldest must leave before a request fits: at its time + windowMs.
  const admitAt = count >= limit ? (times[count - limit] as number) + spec.windowMs : now;
  const resetAt = (count > 0 ? Math.min(times[0] as number, now) : now) + spec.windowMs;
  return { spec, key: spec.key, count, times, admitAt, resetAt };
}

/** Index of the refusing window whose wait is longest, or -1 when every window admits. */
function refusing(probes: readonly Probe[], now: number): number {
  let index = -1;
  probes.forEach((p, i) => {
    if (p.admitAt > now && (index < 0 || p.admitAt > (probes[index] as Probe).admitAt)) index = i;
  });
  return index;
}

function record(entries: LRUCache<string, Entry>, p: Probe, now: number): void {
  if (!p.times) {
    entries.set(p.key, { count: p.count + 1, expiresAt: p.resetAt });
    return;
  }
  const times = p.times;
  let at = times.length; // keep ascending order even if a replica's clock (or the injected one) went back
  while (at > 0 && (times[at - 1] as number) > now) at -= 1;
  times.splice(at, 0, now);
  entries.set(p.key, { times, expiresAt: (times[times.length - 1] as number) + p.spec.windowMs });
}

function state(p: Probe, now: number, admitted: boolean): WindowState {
  const used = p.count + (admitted ? 1 : 0);
  return { limit: p.spec.limit, remaining: Math.max(0, p.spec.limit - used), resetMs: Math.max(0, p.resetAt - now), windowMs: p.spec.windowMs };
}
