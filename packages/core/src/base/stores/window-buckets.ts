import type { WindowSpec } from './store.js';

/**
 * Buckets a sliding window is counted in: each is 1/60 of the window (1 s of a minute, 1 min of an hour, 24 min of a
 * day).
 */
export const SLIDING_BUCKETS = 60;

/** How a window is counted: in clock-aligned buckets of `bucketMs`, the current one and `lookback` before it. */
export interface WindowBuckets {
  /** Bucket length in ms; bucket `b` is `[b * bucketMs, (b + 1) * bucketMs)` since the epoch (UTC-aligned). */
  readonly bucketMs: number;
  /** Earlier buckets that still count: `SLIDING_BUCKETS` for a sliding window, 0 for a fixed one. */
  readonly lookback: number;
}

/**
 * The bucket geometry of a window — the one algorithm both stores implement (the memory store in
 * `memory-counters.ts`, the Redis store in its consume script), with state bounded by `lookback + 1` counters
 * whatever the limit:
 *
 * - A request at `now` falls in bucket `k = floor(now / bucketMs)`. It counts against its own bucket and, as
 *   long as it is within the lookback, against every later one: it is admitted iff the requests counted in
 *   buckets `k - lookback` and later are fewer than the limit (buckets from a replica whose clock is ahead
 *   count too; a request from a clock behind the newest bucket by more than the lookback counts in the
 *   oldest live bucket).
 * - Sliding: the 61 buckets `k - 60 … k` cover every interval of `windowMs` that ends in bucket `k`, so no
 *   such interval ever holds more than the limit. The price is the part of bucket `k - 60` that lies before
 *   `now - windowMs`: a request is refused at most one bucket (`windowMs / 60`) longer than an exact log
 *   would refuse it, never admitted earlier. In requests: a request refused at `now` saw at least the limit
 *   admitted in `(now - windowMs - bucketMs, now]`, i.e. at least the limit minus those admitted in the one
 *   bucket's slice before its window.
 * - Fixed: the current clock-aligned bucket only (an hour from minute 0, a day from 00:00 UTC), exact.
 * - A refused request's wait ends when enough of the oldest buckets have left: with `used` counted and the
 *   limit `n`, the oldest buckets holding `used - n + 1` requests — the last of them, `b`, leaves at
 *   `(b + lookback + 1) * bucketMs`. A window regains quota (RateLimit `t`) when its oldest counted bucket leaves.
 *
 * @example
 * windowBuckets({ windowMs: 60_000, mode: 'sliding' }); // { bucketMs: 1000, lookback: 60 }
 * windowBuckets({ windowMs: 3_600_000, mode: 'fixed' }); // { bucketMs: 3600000, lookback: 0 }
 */
export function windowBuckets(spec: Pick<WindowSpec, 'windowMs' | 'mode'>): WindowBuckets {
  return spec.mode === 'sliding'
    ? { bucketMs: spec.windowMs / SLIDING_BUCKETS, lookback: SLIDING_BUCKETS }
    : { bucketMs: spec.windowMs, lookback: 0 };
}
