/**
 * Random arrival streams and the stated bounds of the bucketed windows, shared by the reference-model test
 * (test/stores/window-reference.test.ts) and the Redis batches' test (test/stores/window-batches.test.ts).
 */
import { windowBuckets, type WindowSpec } from '@aap-guard/core/store';
import { expect } from 'vitest';

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const T0 = Date.UTC(2025, 0, 1);

/** mulberry32: a small seeded PRNG, so every stream can be replayed from its seed. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Arrival times: an opening burst over the limit (so every stream meets refusals), then bursts, steady
 * stretches at a random rate around `perWindow` per `windowMs`, echoes (the last requests again one window
 * later, give or take a bucket or two: the edges of the oldest bucket), and idle gaps.
 */
export function arrivals(rand: () => number, perWindow: number, windowMs: number, windows: number): number[] {
  let t = T0 + Math.floor(rand() * windowMs);
  const times: number[] = Array.from({ length: perWindow + 1 }, () => (t += Math.floor(rand() * 50)));
  const end = t + windows * windowMs;
  const bucket = windowMs / 60;
  while (t < end) {
    const kind = rand();
    if (kind < 0.2)
      for (let i = Math.ceil(rand() * perWindow * 2); i > 0; i--) times.push((t += Math.floor(rand() * 3)));
    else if (kind < 0.45) {
      const last = times.slice(-Math.ceil(rand() * perWindow * 2));
      const shift = windowMs + Math.floor((rand() * 3 - 1) * bucket);
      for (const earlier of last) times.push((t = Math.max(t, earlier + shift)));
    } else if (kind < 0.85) {
      const gap = windowMs / (perWindow * (0.3 + rand() * 4));
      for (let i = Math.ceil(rand() * perWindow); i > 0; i--)
        times.push((t += Math.floor(-Math.log(1 - rand()) * gap)));
    } else t += Math.floor(rand() * windowMs * 1.5);
  }
  return times.filter((time) => time < end);
}

/**
 * The stated bounds, checked on the admitted requests alone (not through the model). `refused` are the
 * refusals this window accounts for; their waits are checked when it is the request's only window. `slack`:
 * requests a refusal may come early by besides the bucket's (the Redis store's batches: taken, not yet used);
 * with a slack the waits are not checked.
 */
export function checkBounds(
  spec: WindowSpec,
  admitted: readonly number[],
  refused: readonly { t: number; retryAfterMs?: number }[],
  label: string,
  slack = 0,
) {
  const { bucketMs } = windowBuckets(spec);
  const inRange = (from: number, to: number) => admitted.filter((a) => a > from && a <= to).length;
  if (spec.mode === 'sliding') {
    for (const a of admitted)
      expect(inRange(a - spec.windowMs, a), `${label}: over the limit in the window ending ${a}`).toBeLessThanOrEqual(
        spec.limit,
      );
    for (const { t, retryAfterMs } of refused) {
      const exact = inRange(t - spec.windowMs, t);
      const slice = inRange(t - spec.windowMs - bucketMs, t - spec.windowMs);
      expect(exact, `${label}: refused at ${t} below the limit minus one bucket's requests`).toBeGreaterThanOrEqual(
        spec.limit - slice - slack,
      );
      // an exact log would admit once the (exact - limit + 1)-th oldest request of the window leaves it
      const window = admitted.filter((a) => a > t - spec.windowMs && a <= t);
      const exactWait = exact >= spec.limit ? window[exact - spec.limit]! + spec.windowMs - t : 0;
      if (retryAfterMs !== undefined && slack === 0)
        expect(retryAfterMs, `${label}: waits more than one bucket past the exact log at ${t}`).toBeLessThanOrEqual(
          exactWait + bucketMs,
        );
    }
  } else {
    const perBucket = new Map<number, number>();
    for (const a of admitted)
      perBucket.set(Math.floor(a / bucketMs), (perBucket.get(Math.floor(a / bucketMs)) ?? 0) + 1);
    for (const [bucket, n] of perBucket)
      expect(n, `${label}: over the limit in bucket ${bucket}`).toBeLessThanOrEqual(spec.limit);
    for (const { t } of refused)
      expect(perBucket.get(Math.floor(t / bucketMs)) ?? 0, `${label}: refused at ${t}`).toBeGreaterThanOrEqual(
        spec.limit - slack,
      );
  }
}
