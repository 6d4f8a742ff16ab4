import { ExpiringTable } from './expiring-table.js';
import type { WindowSpec, WindowState } from './store.js';
import { windowBuckets } from './window-buckets.js';

/**
 * One window's counter: its non-empty live buckets, oldest first, flat as `[bucket, count, bucket, count, …]`,
 * and their total. At most `lookback + 1` buckets (61 for a sliding window, 1 for a fixed one) whatever the
 * limit; mutated in place.
 */
interface Counter {
  readonly pairs: number[];
  total: number;
  /** When its newest bucket leaves (ms): the counter no longer matters. */
  expiresAt: number;
}

/** One window evaluated, before anything is recorded. */
export interface Probe {
  readonly spec: WindowSpec;
  /** The live counter, or undefined when this request would create it. */
  readonly entry: Counter | undefined;
  readonly bucketMs: number;
  readonly lookback: number;
  /** How many numbers of `entry.pairs` belong to buckets that have left the window (dropped on `record`). */
  readonly gone: number;
  /** The bucket this request counts in (its own, or the oldest live one when its clock is that far behind). */
  readonly bucket: number;
  /** Requests counted in the live buckets. */
  readonly used: number;
  /** When this window would admit a request (≤ now: admits now). */
  readonly admitAt: number;
}

/**
 * The rate-limit counters of the memory store, within a budget of `maxKeys` counters: the bucketed windows of
 * `windowBuckets()`, each in O(1) amortized time per request and at most 61 buckets of state. A live counter
 * is never evicted: `fits()` says whether a request's new counters fit, and the store refuses the request when
 * they do not. Counters go away when their newest bucket has left the window (swept by expiry).
 */
export class MemoryCounters {
  readonly #table = new ExpiringTable<Counter>();

  constructor(readonly maxKeys: number) {}

  /** Drop the counters whose window has passed at `now`. */
  sweep(now: number): void {
    this.#table.sweep(now);
  }

  /**
   * Evaluate one window, changing nothing: a refused request leaves the counter as it was (as the Redis script
   * does), so both stores count alike even when a clock goes back.
   */
  probe(spec: WindowSpec, now: number): Probe {
    const { bucketMs, lookback } = windowBuckets(spec);
    const own = Math.floor(now / bucketMs);
    const entry = this.#table.get(spec.key, now);
    if (!entry) return { spec, entry, bucketMs, lookback, gone: 0, bucket: own, used: 0, admitAt: now };
    const pairs = entry.pairs;
    const floor = Math.max(own, pairs[pairs.length - 2] as number) - lookback;
    let gone = 0;
    let used = entry.total;
    for (; gone < pairs.length && (pairs[gone] as number) < floor; gone += 2) used -= pairs[gone + 1] as number;
    const admitAt = used < spec.limit ? now : waitFor(pairs, gone, used - spec.limit + 1, lookback, bucketMs);
    return { spec, entry, bucketMs, lookback, gone, bucket: Math.max(own, floor), used, admitAt };
  }

  /** Whether the counters these probes would create fit the budget. */
  fits(probes: readonly Probe[]): boolean {
    let keys = 0;
    for (const p of probes) if (!p.entry) keys += 1;
    return this.#table.size + keys <= this.maxKeys;
  }

  /** A lower bound of when a counter goes away (ms). */
  nextExpiry(): number | undefined {
    return this.#table.nextExpiry();
  }

  /** Count this request in the window of `p`. */
  record(p: Probe): void {
    const { entry, bucket } = p;
    if (!entry) {
      this.#table.add(p.spec.key, { pairs: [bucket, 1], total: 1, expiresAt: leaves(bucket, p) });
      return;
    }
    const pairs = entry.pairs;
    if (p.gone > 0) pairs.splice(0, p.gone); // at most 122 numbers moved, once per bucket that leaves
    entry.total = p.used;
    let at = pairs.length - 2;
    while (at >= 0 && (pairs[at] as number) > bucket) at -= 2; // a clock behind the newest bucket: rare, ≤ 61 steps
    if (at >= 0 && pairs[at] === bucket) pairs[at + 1] = (pairs[at + 1] as number) + 1;
    else pairs.splice(at + 2, 0, bucket, 1);
    entry.total += 1;
    entry.expiresAt = leaves(pairs[pairs.length - 2] as number, p);
  }

  /** The state of the window of `p` after this request (admitted or not). */
  state(p: Probe, now: number, admitted: boolean): WindowState {
    const { spec } = p;
    const used = p.used + (admitted ? 1 : 0);
    const first = admitted ? 0 : p.gone; // recording dropped the buckets that had left
    const oldest = p.entry && p.entry.pairs.length > first ? (p.entry.pairs[first] as number) : p.bucket;
    const resetAt = p.admitAt > now ? p.admitAt : leaves(oldest, p);
    return {
      limit: spec.limit,
      remaining: Math.max(0, spec.limit - used),
      resetMs: Math.max(0, resetAt - now),
      windowMs: spec.windowMs,
    };
  }

  clear(): void {
    this.#table.clear();
  }
}

/** When a request counted in `bucket` stops counting. */
const leaves = (bucket: number, p: Probe): number => (bucket + p.lookback + 1) * p.bucketMs;

/** When the oldest live buckets (from `pairs[from]` on) holding `need` requests have left: a refused request's wait. */
function waitFor(pairs: readonly number[], from: number, need: number, lookback: number, bucketMs: number): number {
  let left = 0;
  for (let at = from; at < pairs.length; at += 2) {
    left += pairs[at + 1] as number;
    if (left >= need) return ((pairs[at] as number) + lookback + 1) * bucketMs;
  }
  return ((pairs[pairs.length - 2] as number) + lookback + 1) * bucketMs; // unreachable: need ≤ total
}
