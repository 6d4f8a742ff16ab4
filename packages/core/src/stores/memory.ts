import { createHash } from 'node:crypto';
import { ExpiringTable } from './expiring-table.js';
import { MemoryCounters, type Probe } from './memory-counters.js';
import { memoryHolds } from './memory-holds.js';
import { memoryRevocations } from './memory-revocations.js';
import { CONSUME_NOW, type ConsumeRequest, type ConsumeResult, type ConsumesNow, type Store } from './store.js';

/** Options of the embedded memory store: its budgets, and the clock of its revocations. */
export interface MemoryStoreOptions {
  /** Most rate-limit counters alive at once (default 100000); past it a request needing a new one is refused. */
  readonly maxKeys?: number;
  /**
   * Most counter entries in all (a counter costs 1, a sliding window 1 + its timestamps; default 4000000:
   * about 32 MB of timestamps); past it a request that would add one is refused.
   */
  readonly maxEntries?: number;
  /**
   * Most DPoP replay markers alive at once (default 500000, about 80 MB: a sustained 7,500 DPoP
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
 * rate-limit counters (`maxKeys` counters, `maxEntries` entries in all) and DPoP replay markers
 * (`maxReplays`). A live counter or marker is NEVER dropped to make room — forgetting one would reset an
 * agent's quota or accept a replayed proof. When a budget is full the request is refused (`consume()`
 * answers `{ ok: false, reason: 'full' }`: 503 `store_full` with a Retry-After), and entries make room as
 * they expire, in the time base of the requests' `now`: a counter when its window has passed, a marker
 * after the DPoP retention. Expired entries are reclaimed in expiry order (a heap), without scanning.
 * A sliding window is an exact log of admission times: at most N numbers (8 bytes each) for a limit of N,
 * since a refused request records nothing; a fixed window or a replay marker costs one entry.
 *
 * @example
 * createGuard({ ...options, store: memoryStore({ maxKeys: 100_000, maxReplays: 500_000 }) });
 */
export function memoryStore(options: MemoryStoreOptions = {}): Store {
  const { maxKeys, maxEntries, maxReplays } = budgets(options);
  if (options.now !== undefined && typeof options.now !== 'function') throw new TypeError('memoryStore({ now }) must be a function returning ms');
  const counters = new MemoryCounters(maxKeys, maxEntries);
  const replays = new ExpiringTable<{ expiresAt: number }>();
  const holds = memoryHolds();
  const revocations = memoryRevocations({ now: options.now, maxLineage: options.maxLineage });

  const consumeNow = (request: ConsumeRequest): ConsumeResult => {
    const { now, replay } = request;
    replays.sweep(now);
    counters.sweep(now);
    const marker = replay && markerOf(replay.key);
    if (marker && replays.get(marker, now)) return { ok: false, reason: 'replay' };
    const probes = request.windows.map((spec) => counters.probe(spec, now));
    const refused = refusing(probes, now);
    if (refused >= 0) {
      const admitAt = Math.max(...probes.map((p) => p.admitAt));
      return { ok: false, reason: 'limited', window: refused, retryAfterMs: admitAt - now, windows: probes.map((p) => counters.state(p, now, false)) };
    }
    if (marker && replays.size >= maxReplays) return full('replay', replays.nextExpiry(), now);
    if (!counters.fits(probes)) return full('counters', counters.nextExpiry(), now);
    if (replay && marker) replays.add(marker, { expiresAt: now + replay.ttlMs });
    for (const p of probes) counters.record(p, now);
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

function budgets(options: MemoryStoreOptions): { maxKeys: number; maxEntries: number; maxReplays: number } {
  const maxKeys = positive(options.maxKeys, 100_000, 'maxKeys');
  const maxEntries = positive(options.maxEntries, 4_000_000, 'maxEntries');
  const maxReplays = positive(options.maxReplays, 500_000, 'maxReplays');
  return { maxKeys, maxEntries, maxReplays };
}

function positive(value: number | undefined, fallback: number, name: string): number {
  const given = value ?? fallback;
  if (!Number.isSafeInteger(given) || given < 1) throw new TypeError(`memoryStore({ ${name} }) must be a positive integer`);
  return given;
}

/** A full budget: refused until its next entry expires (at least 1 ms from now). */
function full(budget: 'replay' | 'counters', nextExpiry: number | undefined, now: number): ConsumeResult {
  return { ok: false, reason: 'full', budget, retryAfterMs: Math.max(1, (nextExpiry ?? now + 1000) - now) };
}

/**
 * What the store keeps of a replay key: 128 bits of its SHA-256 (22 characters instead of ~130), so a
 * marker costs about 160 bytes; a collision (2^-64 after 2^32 markers) would only refuse a fresh proof.
 */
const markerOf = (key: string): string => createHash('sha256').update(key).digest().toString('base64url', 0, 16);

/** Index of the refusing window whose wait is longest, or -1 when every window admits. */
function refusing(probes: readonly Probe[], now: number): number {
  let index = -1;
  probes.forEach((p, i) => {
    if (p.admitAt > now && (index < 0 || p.admitAt > (probes[index] as Probe).admitAt)) index = i;
  });
  return index;
}
