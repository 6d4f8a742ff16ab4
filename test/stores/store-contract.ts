/**
 * The store contract: every Store (memory, Redis, Redis Cluster, fallback) must pass it.
 * Time is the request's `now` — never a sleep.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ConsumeRequest, Store, WindowSpec } from '@aap-guard/core';

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** 2024-12-31T23:00:00Z, an hour boundary. */
const T0 = 1_735_686_000_000;

let ids = 0;
const request = (now: number, windows: readonly WindowSpec[], replay?: ConsumeRequest['replay']): ConsumeRequest => ({
  now,
  id: `req-${(ids += 1)}`,
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
    const sliding = (key: string, limit: number, windowMs = MINUTE): WindowSpec => ({ key, limit, windowMs, mode: 'sliding' });
    const fixed = (key: string, limit: number, windowMs = HOUR): WindowSpec => ({ key, limit, windowMs, mode: 'fixed' });

    it('admits exactly `limit` in a sliding window, then answers limited with an exact retryAfterMs', async () => {
      const s = store();
      const w = sliding(`${ns()}:m`, 3);
      const results = [];
      for (let i = 0; i < 4; i += 1) results.push(await s.consume(request(T0 + i * 10_000, [w])));
      expect(results.map((r) => r.ok)).toEqual([true, true, true, false]);
      expect(results[0]).toEqual({ ok: true, windows: [{ limit: 3, remaining: 2, resetMs: MINUTE, windowMs: MINUTE }] });
      expect(results[2]).toMatchObject({ ok: true, windows: [{ remaining: 0, resetMs: 40_000 }] });
      // the oldest admission (T0) leaves at T0 + 60 s; the 4th request came at T0 + 30 s
      expect(results[3]).toMatchObject({ ok: false, reason: 'limited', window: 0, retryAfterMs: 30_000 });
    });

    it('slides: a request is admitted exactly when the oldest one leaves the window', async () => {
      const s = store();
      const w = sliding(`${ns()}:m`, 2);
      expect((await s.consume(request(T0, [w]))).ok).toBe(true);
      expect((await s.consume(request(T0 + 1000, [w]))).ok).toBe(true);
      expect((await s.consume(request(T0 + MINUTE - 1, [w]))).ok).toBe(false);
      expect((await s.consume(request(T0 + MINUTE, [w]))).ok).toBe(true);
      expect(await s.consume(request(T0 + MINUTE + 1, [w]))).toMatchObject({ ok: false, retryAfterMs: 999 });
    });

    it('counts two requests at the same millisecond (distinct ids)', async () => {
      const s = store();
      const w = sliding(`${ns()}:m`, 2);
      await s.consume(request(T0, [w]));
      await s.consume(request(T0, [w]));
      expect((await s.consume(request(T0, [w]))).ok).toBe(false);
    });

    it('fixed windows reset on the clock-aligned boundary; retryAfterMs is the bucket end', async () => {
      const s = store();
      const w = fixed(`${ns()}:h`, 2);
      const at = T0 + 20 * MINUTE; // 23:20
      await s.consume(request(at, [w]));
      await s.consume(request(at + 1, [w]));
      expect(await s.consume(request(at + 2, [w]))).toMatchObject({ ok: false, reason: 'limited', retryAfterMs: 40 * MINUTE - 2 });
      expect(await s.consume(request(T0 + HOUR, [w]))).toMatchObject({ ok: true, windows: [{ remaining: 1, resetMs: HOUR }] });
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
      expect((await s.consume(request(T0 + MINUTE, [w], second))).ok).toBe(true);
      // replay is checked first and consumes no window
      expect(await s.consume(request(T0 + MINUTE + 1, [w], second))).toEqual({ ok: false, reason: 'replay' });
    });

    it('forgets everything once the window has passed', async () => {
      const s = store();
      const w = sliding(`${ns()}:m`, 2);
      await s.consume(request(T0, [w]));
      await s.consume(request(T0, [w]));
      expect(await s.consume(request(T0 + 5 * MINUTE, [w]))).toMatchObject({ ok: true, windows: [{ remaining: 1, resetMs: MINUTE }] });
    });

    it('admits exactly `limit` of many concurrent requests', async () => {
      const s = store();
      const w = sliding(`${ns()}:m`, 7);
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => s.consume(request(T0 + (i % 3), [w]))));
      expect(results.filter((r) => r.ok)).toHaveLength(7);
    });
  });
}
