import { sha256 } from '../util/hash.js';
import { MemoryCounters, type Probe } from './memory-counters.js';
import { memoryHolds } from './memory-holds.js';
import { memoryRevocations } from './memory-revocations.js';
import { ReplayMarkers } from './replay-markers.js';
import { CONSUME_NOW, type ConsumeRequest, type ConsumeResult, type ConsumesNow, type Store } from './store.js';

/** Options of the embedded memory store: its budgets, and the clock of its revocations. */
export interface MemoryStoreOptions {
  /**
   * Most rate-limit counters alive at once (default 100000); past it a request needing a new one is refused.
   * A counter is one window of one subject: at most 61 bucket counts (a fixed window: 1), whatever its limit.
   */
  readonly maxKeys?: number;
  /**
   * Most DPoP replay markers alive at once (default 500000, about 75 MB at ~150 bytes each: a sustained 7,500 DPoP
   * requests/s with the default 66 s retention); past it a DPoP request is refused until markers expire.
   */
  readonly maxReplays?: number;
  /** Most lineage records of delegated tokens alive at once (default 100000); see `memoryRevocations()`. */
  readonly maxLineage?: number;
  /** Clock of the revocation set (default `Date.now`); pass the guard's `now` when you inject one. */
  readonly now?: () => number;
}

/**
 * The embedded default store: exact and atomic within one process (JavaScript runs `consume()` to the
 * end without interleaving), with its own holds and revocations, so guards sharing one memory store
 * share those too. For several replicas use the Redis store.
 *
 * Memory is bounded by separate budgets, so that one kind of traffic can never push out another's state:
 * rate-limit counters (`maxKeys`) and DPoP replay markers (`maxReplays`). A live counter or marker is NEVER dropped to
 * make room — forgetting one would reset an
 * agent's quota or accept a replayed proof. When a budget is full the request is refused (`consume()`
 * answers `{ ok: false, reason: 'full' }`: 503 `store_full` with a Retry-After), and entries make room as
 * they expire, in the time base of the requests' `now`: a counter when its window has passed, a marker
 * after the DPoP retention. Expired entries are reclaimed in expiry order (a heap), without scanning.
 * A window is counted in clock-aligned buckets (`windowBuckets()`): a sliding one in at most 61 bucket counts,
 * a fixed one in one, whatever the limit: about 0.25 KB of heap for a counter of one request, 1.5 KB with
 * all 61 buckets in use (bench/MEMORY.md).
 *
 * @example
 * createGuard({ ...options, store: memoryStore({ maxKeys: 100_000, maxReplays: 500_000 }) });
 */
export function memoryStore(options: MemoryStoreOptions = {}): Store {
  const { maxKeys, maxReplays } = budgets(options);
  if (options.now !== undefined && typeof options.now !== 'function')
    throw new TypeError('memoryStore({ now }) must be a function returning ms');
  const counters = new MemoryCounters(maxKeys);
  const replays = new ReplayMarkers();
  const holds = memoryHolds();
  const revocations = memoryRevocations({ now: options.now, maxLineage: options.maxLineage });

  const consumeNow = (request: ConsumeRequest): ConsumeResult => {
    const { now, replay } = request;
    replays.sweep(now);
    counters.sweep(now);
    const marker = replay && markerOf(replay.key);
    if (marker && replays.has(marker, now)) return { ok: false, reason: 'replay' };
    const probes = request.windows.map((spec) => counters.probe(spec, now));
    const refused = refusing(probes, now);
    if (refused >= 0) {
      const admitAt = Math.max(...probes.map((p) => p.admitAt));
      return {
        ok: false,
        reason: 'limited',
        window: refused,
        retryAfterMs: admitAt - now,
        windows: probes.map((p) => counters.state(p, now, false)),
      };
    }
    if (marker && replays.size >= maxReplays) return full('replay', replays.nextExpiry(), now);
    if (!counters.fits(probes)) return full('counters', counters.nextExpiry(), now);
    if (replay && marker) replays.add(marker, now + replay.ttlMs);
    for (const p of probes) counters.record(p);
    return { ok: true, windows: probes.map((p) => counters.state(p, now, true)) };
  };
  const store: Store & ConsumesNow = {
    holds,
    revocations,
    consume: async (request: ConsumeRequest): Promise<ConsumeResult> => consumeNow(request),
    [CONSUME_NOW]: consumeNow, // the guard's path without a promise
    async close() {
      counters.clear();
      replays.clear();
      await Promise.all([holds.close?.(), revocations.close?.()]);
    },
  };
  return store;
}

function budgets(options: MemoryStoreOptions): { maxKeys: number; maxReplays: number } {
  const maxKeys = positive(options.maxKeys, 100_000, 'maxKeys');
  const maxReplays = positive(options.maxReplays, 500_000, 'maxReplays');
  return { maxKeys, maxReplays };
}

function positive(value: number | undefined, fallback: number, name: string): number {
  const given = value ?? fallback;
  if (!Number.isSafeInteger(given) || given < 1)
    throw new TypeError(`memoryStore({ ${name} }) must be a positive integer`);
  return given;
}

/** A full budget: refused until its next entry expires (at least 1 ms from now). */
function full(budget: 'replay' | 'counters', nextExpiry: number | undefined, now: number): ConsumeResult {
  return { ok: false, reason: 'full', budget, retryAfterMs: Math.max(1, (nextExpiry ?? now + 1000) - now) };
}

/**
 * What the store keeps of a replay key: its SHA-256 (43 characters instead of ~130, one-shot `crypto.hash`: no
 * `Hash` object per request), so a marker costs about 100 bytes; a collision would only refuse a fresh proof.
 */
const markerOf = (key: string): string => sha256(key);

/** Index of the refusing window whose wait is longest, or -1 when every window admits. */
function refusing(probes: readonly Probe[], now: number): number {
  let index = -1;
  probes.forEach((p, i) => {
    if (p.admitAt > now && (index < 0 || p.admitAt > (probes[index] as Probe).admitAt)) index = i;
  });
  return index;
}
