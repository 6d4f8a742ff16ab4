/**
 * The store contract: every Store (memory, Redis, Redis Cluster, fallback) must pass it.
 * Time is the request's `now` — never a sleep. A sliding minute is counted in 1 s buckets (`windowBuckets()`):
 * the waits pinned here are the exact log's plus the part of the oldest bucket before the window, at most 1 s.
 * test/stores/window-reference.test.ts checks random streams against the reference model.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Store } from '@aap-guard/core';
import type { ConsumeRequest, WindowSpec } from '@aap-guard/core/store';

const SECOND = 1000;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** 2024-12-31T23:00:00Z, an hour boundary. */
const T0 = 1_735_686_000_000;

const request = (now: number, windows: readonly WindowSpec[], replay?: ConsumeRequest['replay']): ConsumeRequest => ({
  now,
  replay,
  windows,
});

/**
 * Register the contract suite for a store factory (called once per test, with a fresh key namespace).
 *
 * @example
 * storeContract('memory', () => memoryStore());
 */
export function storeContract(name: string, store: () => Store): void {
  describe(`store contract: ${name}`, () => {
    const ns = () => `{${randomUUID()}}`;
    const sliding = (key: string, limit: number, windowMs = MINUTE): WindowSpec => ({
      key,
      limit,
      windowMs,
      mode: 'sliding',
    });
    const fixed = (key: string, limit: number, windowMs = HOUR): WindowSpec => ({
      key,
      limit,
      windowMs,
      mode: 'fixed',
    });

    it('admits exactly `limit` in a sliding window, then answers limited with retryAfterMs at its bucket bound', async () => {
      const s = store();
      const w = sliding(`${ns()}:m`, 3);
      const results = [];
      for (let i = 0; i < 4; i += 1) results.push(await s.consume(request(T0 + i * 10_000, [w])));
      expect(results.map((r) => r.ok)).toEqual([true, true, true, false]);
      // T0's request counts until its 1 s bucket leaves the window: T0 + 61 s (the exact log: T0 + 60 s)
      expect(results[0]).toEqual({
        ok: true,
        windows: [{ limit: 3, remaining: 2, resetMs: MINUTE + SECOND, windowMs: MINUTE }],
      });
      expect(results[2]).toMatchObject({ ok: true, windows: [{ remaining: 0, resetMs: 41_000 }] });
      expect(results[3]).toMatchObject({
        ok: false,
        reason: 'limited',
        window: 0,
        retryAfterMs: 31_000,
        windows: [{ remaining: 0, resetMs: 31_000 }],
      });
    });

    it('slides: a request is admitted once the oldest bucket leaves — at most one bucket after the exact log', async () => {
      const s = store();
      const w = sliding(`${ns()}:m`, 2);
      expect((await s.consume(request(T0 + 400, [w]))).ok).toBe(true);
      expect((await s.consume(request(T0 + 1000, [w]))).ok).toBe(true);
      expect((await s.consume(request(T0 + MINUTE + 400, [w]))).ok).toBe(false); // the exact log would admit it
      expect(await s.consume(request(T0 + MINUTE + 999, [w]))).toMatchObject({ ok: false, retryAfterMs: 1 });
      expect((await s.consume(request(T0 + MINUTE + SECOND, [w]))).ok).toBe(true); // T0's bucket has left
      expect(await s.consume(request(T0 + MINUTE + SECOND + 1, [w]))).toMatchObject({ ok: false, retryAfterMs: 999 });
    });

    it('never admits more than `limit` in any interval of the window, even one straddling bucket edges', async () => {
      const s = store();
      const w = sliding(`${ns()}:m`, 2);
      expect((await s.consume(request(T0 + 999, [w]))).ok).toBe(true);
      expect((await s.consume(request(T0 + 59_500, [w]))).ok).toBe(true);
      // (T0 + 999, T0 + 60 999] already holds the request at T0 + 59.5 s; one more before T0 + 60 999 would be 3 in 60
      // s
      expect((await s.consume(request(T0 + 60_998, [w]))).ok).toBe(false);
      expect((await s.consume(request(T0 + 61_000, [w]))).ok).toBe(true);
    });

    it('counts two requests at the same millisecond', async () => {
      const s = store();
      const w = sliding(`${ns()}:m`, 2);
      await s.consume(request(T0, [w]));
      await s.consume(request(T0, [w]));
      expect((await s.consume(request(T0, [w]))).ok).toBe(false);
    });

    it('waits for as many old buckets as the window is over its limit (a key shared by tokens with different limits)', async () => {
      const s = store();
      const key = `${ns()}:m`;
      for (let i = 0; i < 3; i += 1)
        expect((await s.consume(request(T0 + i * SECOND, [sliding(key, 10)]))).ok).toBe(true);
      // 3 counted, limit 2: the buckets of T0 and T0 + 1 s must leave (T0 + 62 s)
      expect(await s.consume(request(T0 + 3 * SECOND, [sliding(key, 2)]))).toMatchObject({
        ok: false,
        retryAfterMs: 59_000,
      });
      expect(await s.consume(request(T0 + 4 * SECOND, [sliding(key, 2)]))).toMatchObject({
        ok: false,
        retryAfterMs: 58_000,
      });
      // limit 3: only T0's bucket must leave (T0 + 61 s)
      expect(await s.consume(request(T0 + 4 * SECOND, [sliding(key, 3)]))).toMatchObject({
        ok: false,
        retryAfterMs: 57_000,
      });
      expect((await s.consume(request(T0 + 4 * SECOND, [sliding(key, 4)]))).ok).toBe(true);
    });

    it('a request from a clock behind the newest bucket counts, and never lets the window over its limit', async () => {
      const s = store();
      const w = sliding(`${ns()}:m`, 2);
      expect((await s.consume(request(T0 + 10 * SECOND, [w]))).ok).toBe(true);
      expect((await s.consume(request(T0, [w]))).ok).toBe(true); // a replica 10 s behind
      expect((await s.consume(request(T0 + 10 * SECOND, [w]))).ok).toBe(false);
      expect((await s.consume(request(T0 + 2 * MINUTE, [w]))).ok).toBe(true); // long after: a request far behind…
      expect((await s.consume(request(T0 + 5 * SECOND, [w]))).ok).toBe(true); // …counts in the oldest live bucket
      expect(await s.consume(request(T0 + 2 * MINUTE, [w]))).toMatchObject({ ok: false, retryAfterMs: SECOND });
    });

    it('fixed windows reset on the clock-aligned boundary; retryAfterMs is the bucket end', async () => {
      const s = store();
      const w = fixed(`${ns()}:h`, 2);
      const at = T0 + 20 * MINUTE; // 23:20
      await s.consume(request(at, [w]));
      await s.consume(request(at + 1, [w]));
      expect(await s.consume(request(at + 2, [w]))).toMatchObject({
        ok: false,
        reason: 'limited',
        retryAfterMs: 40 * MINUTE - 2,
      });
      expect(await s.consume(request(T0 + HOUR, [w]))).toMatchObject({
        ok: true,
        windows: [{ remaining: 1, resetMs: HOUR }],
      });
    });

    it('a fixed day resets at 00:00 UTC', async () => {
      const s = store();
      const w = fixed(`${ns()}:d`, 1, DAY);
      const midnight = T0 + HOUR; // 2025-01-01T00:00:00Z
      expect((await s.consume(request(midnight - 5 * MINUTE, [w]))).ok).toBe(true);
      expect(await s.consume(request(midnight - MINUTE, [w]))).toMatchObject({ ok: false, retryAfterMs: MINUTE });
      expect(await s.consume(request(midnight, [w]))).toMatchObject({
        ok: true,
        windows: [{ remaining: 0, resetMs: DAY }],
      });
    });

    it('is all or nothing across windows: a refused request consumes no window', async () => {
      const s = store();
      const key = ns();
      const minute = sliding(`${key}:m`, 5);
      const hour = fixed(`${key}:h`, 2);
      await s.consume(request(T0, [minute, hour]));
      await s.consume(request(T0 + 1, [minute, hour]));
      for (let i = 0; i < 3; i += 1) {
        expect(await s.consume(request(T0 + 2 + i, [minute, hour]))).toMatchObject({ ok: false, window: 1 });
      }
      // the minute window saw only the 2 admitted requests
      expect(await s.consume(request(T0 + 10, [minute]))).toMatchObject({ ok: true, windows: [{ remaining: 2 }] });
    });

    it('retryAfterMs is when every window admits again (the longest wait)', async () => {
      const s = store();
      const key = ns();
      const minute = sliding(`${key}:m`, 1);
      const hour = fixed(`${key}:h`, 1);
      await s.consume(request(T0 + 30 * MINUTE, [minute, hour]));
      expect(await s.consume(request(T0 + 30 * MINUTE + 1000, [minute, hour]))).toMatchObject({
        ok: false,
        window: 1,
        retryAfterMs: 30 * MINUTE - 1000,
      });
    });

    it('rejects a replayed key until its ttl has passed (request time), and a refused request records no replay key', async () => {
      const s = store();
      const key = ns();
      const replay = { key: `${key}:dpop:jti-1`, ttlMs: 300_000 };
      expect((await s.consume(request(T0, [], replay))).ok).toBe(true);
      expect(await s.consume(request(T0 + 1, [], replay))).toEqual({ ok: false, reason: 'replay' });
      expect((await s.consume(request(T0 + 300_000, [], replay))).ok).toBe(true);
      const w = sliding(`${key}:m`, 1);
      const second = { key: `${key}:dpop:jti-2`, ttlMs: 300_000 };
      await s.consume(request(T0, [w]));
      expect(await s.consume(request(T0 + 1, [w], second))).toMatchObject({ ok: false, reason: 'limited' });
      expect((await s.consume(request(T0 + MINUTE + SECOND, [w], second))).ok).toBe(true);
      // replay is checked first and consumes no window
      expect(await s.consume(request(T0 + MINUTE + SECOND + 1, [w], second))).toEqual({ ok: false, reason: 'replay' });
    });

    it('forgets everything once the window has passed', async () => {
      const s = store();
      const w = sliding(`${ns()}:m`, 2);
      await s.consume(request(T0, [w]));
      await s.consume(request(T0, [w]));
      expect(await s.consume(request(T0 + 5 * MINUTE, [w]))).toMatchObject({
        ok: true,
        windows: [{ remaining: 1, resetMs: MINUTE + SECOND }],
      });
    });

    it('admits exactly `limit` of many concurrent requests', async () => {
      const s = store();
      const w = sliding(`${ns()}:m`, 7);
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => s.consume(request(T0 + (i % 3), [w]))));
      expect(results.filter((r) => r.ok)).toHaveLength(7);
    });
  });
}
