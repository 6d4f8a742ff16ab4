/**
 * The reference model of the stores' bucketed windows: `windowBuckets()` as its TSDoc defines it, computed
 * from the full list of counted requests (unbounded, obvious, slow) — what the stores must decide with at
 * most 61 counters per window. Used by test/stores/window-reference.test.ts and the memory store's own tests.
 */
import { windowBuckets, type WindowSpec } from '@aap-guard/core/store';

/** What the model decides for a request at `t`: the shape of a store's answer, without `limit`/`windowMs`. */
export type ModelDecision =
  | { readonly ok: true; readonly windows: readonly ModelWindow[] }
  | { readonly ok: false; readonly retryAfterMs: number; readonly windows: readonly ModelWindow[] };

export interface ModelWindow {
  readonly remaining: number;
  readonly resetMs: number;
}

/**
 * A model of one key's windows. `decide(t)` admits iff every window counts fewer than its limit in its live
 * buckets (`k - lookback` on, where `k` is the later of the request's bucket and the newest counted), and then
 * counts the request in the later of its own bucket and the oldest live one.
 *
 * @example
 * const model = windowModel([{ key: 'k', limit: 5, windowMs: 60_000, mode: 'sliding' }]);
 * model.decide(Date.UTC(2025, 0, 1)); // { ok: true, windows: [{ remaining: 4, resetMs: 61000 }] }
 */
export function windowModel(specs: readonly WindowSpec[]): { decide(t: number): ModelDecision } {
  const counted = specs.map(() => [] as number[]); // the bucket each counted request was placed in
  const newest = specs.map(() => -Infinity);
  const geometry = specs.map((spec) => windowBuckets(spec));
  const floorOf = (i: number, t: number) =>
    Math.max(Math.floor(t / geometry[i]!.bucketMs), newest[i]!) - geometry[i]!.lookback;
  const live = (i: number, t: number) => counted[i]!.filter((bucket) => bucket >= floorOf(i, t)).sort((a, b) => a - b);
  const leaves = (i: number, bucket: number) => (bucket + geometry[i]!.lookback + 1) * geometry[i]!.bucketMs;
  /** When window `i` admits again: once the (used - limit + 1)-th oldest counted request's bucket leaves. */
  const admitAt = (i: number, t: number) => {
    const buckets = live(i, t);
    return buckets.length < specs[i]!.limit ? t : leaves(i, buckets[buckets.length - specs[i]!.limit]!);
  };
  const state = (i: number, t: number): ModelWindow => {
    const buckets = live(i, t);
    const wait = admitAt(i, t);
    const resetAt = wait > t ? wait : leaves(i, buckets[0] ?? Math.floor(t / geometry[i]!.bucketMs));
    return { remaining: Math.max(0, specs[i]!.limit - buckets.length), resetMs: resetAt - t };
  };
  return {
    decide(t) {
      const wait = Math.max(...specs.map((_, i) => admitAt(i, t))) - t;
      if (wait > 0) return { ok: false, retryAfterMs: wait, windows: specs.map((_, i) => state(i, t)) };
      specs.forEach((_, i) => {
        const bucket = Math.max(Math.floor(t / geometry[i]!.bucketMs), floorOf(i, t));
        newest[i] = Math.max(newest[i]!, bucket);
        // what is older than the newest bucket's window never counts again (only to keep the model fast)
        counted[i] = counted[i]!.filter((each) => each >= newest[i]! - geometry[i]!.lookback);
        counted[i]!.push(bucket);
      });
      return { ok: true, windows: specs.map((_, i) => state(i, t)) };
    },
  };
}
