import { LRUCache } from 'lru-cache';
import type { Hold, HoldFilter, HoldStore, HoldUpdate, HoldVerdict } from './holds.js';

/** Options of `memoryHolds()`. */
export interface MemoryHoldsOptions {
  /** Most holds kept; the least recently used are evicted first (default 10000). */
  readonly maxHolds?: number;
}

interface Entry {
  hold: Hold;
  /** When the record itself goes away (ms, in the guard's clock). */
  readonly dropAt: number;
}

/**
 * Holds in process memory: every operation runs to completion without interleaving, so `approve`,
 * `deny` and `consume` are atomic within one process. The default when the store brings no `holds`.
 * For several replicas use the Redis holds (`redisHolds()` of `@aap-guard/redis`).
 *
 * @example
 * createGuard({ ...options, store: { ...memoryStore(), holds: memoryHolds({ maxHolds: 50_000 }) } });
 */
export function memoryHolds(options: MemoryHoldsOptions = {}): HoldStore {
  const max = options.maxHolds ?? 10_000;
  if (!Number.isSafeInteger(max) || max < 1) throw new TypeError('memoryHolds({ maxHolds }) must be a positive integer');
  const entries = new LRUCache<string, Entry>({ max });
  const live = (id: string, now: number): Entry | undefined => {
    const entry = entries.get(id);
    if (entry && entry.dropAt <= now) {
      entries.delete(id);
      return undefined;
    }
    return entry;
  };
  const decide = (id: string, verdict: HoldVerdict, to: 'approved' | 'denied'): HoldUpdate => {
    const entry = live(id, verdict.now);
    if (!entry) return { ok: false, problem: 'unknown' };
    const { hold } = entry;
    if (hold.status !== 'pending') return { ok: false, problem: hold.status, hold };
    if (verdict.now >= hold.expiresAt) return { ok: false, problem: 'expired', hold };
    const who = to === 'approved' ? { approvedBy: verdict.by, approvedAt: verdict.now } : { deniedBy: verdict.by, deniedAt: verdict.now };
    entry.hold = Object.freeze({ ...hold, status: to, ...who, ...(verdict.note === undefined ? {} : { note: verdict.note }) });
    return { ok: true, hold: entry.hold };
  };

  return {
    async create(hold, retainMs) {
      entries.set(hold.id, { hold: Object.freeze({ ...hold }), dropAt: hold.expiresAt + Math.max(0, retainMs) });
    },
    async get(id, now) {
      return live(id, now)?.hold;
    },
    async list(filter, now) {
      const found: Hold[] = [];
      for (const id of [...entries.keys()]) {
        const hold = live(id, now)?.hold;
        if (hold && matches(hold, filter)) found.push(hold);
      }
      return found.sort((a, b) => b.createdAt - a.createdAt).slice(0, filter.limit ?? 100);
    },
    async approve(id, verdict) {
      return decide(id, verdict, 'approved');
    },
    async deny(id, verdict) {
      return decide(id, verdict, 'denied');
    },
    async consume(id, binding, now) {
      const entry = live(id, now);
      if (!entry) return { ok: false, problem: 'unknown' };
      const { hold } = entry;
      if (hold.binding !== binding) return { ok: false, problem: 'mismatch', hold };
      if (hold.status === 'used' || hold.status === 'denied') return { ok: false, problem: hold.status, hold };
      if (now >= hold.expiresAt) return { ok: false, problem: 'expired', hold };
      if (hold.status === 'pending') return { ok: false, problem: 'pending', hold };
      entry.hold = Object.freeze({ ...hold, status: 'used', usedAt: now });
      return { ok: true, hold: entry.hold };
    },
    async close() {
      entries.clear();
    },
  };
}

/** Whether a hold passes a `list()` filter. */
export function matches(hold: Hold, filter: HoldFilter): boolean {
  return (
    (filter.status === undefined || hold.status === filter.status) &&
    (filter.agentId === undefined || hold.agent.id === filter.agentId) &&
    (filter.taskId === undefined || hold.task.id === filter.taskId)
  );
}
