import { describe, expect, it } from 'vitest';
import { memoryStore } from '../../src/index.js';
import type { ConsumeRequest, ConsumeResult } from '../../src/stores/store.js';
import { random } from '../helpers/random.js';

const request = (now: number, limit: number, windowMs: number, id: number): ConsumeRequest => ({
  now,
  id: `r${id}`,
  windows: [{ key: '{agent}:rl:api.call:minute:s', limit, windowMs, mode: 'sliding' }],
});

/**
 * The sliding window, naively: admitted iff fewer than `limit` admissions are still in the window. An
 * admission leaves once the window has passed it; when the clock goes back, what left stays gone.
 */
function reference(limit: number, windowMs: number) {
  const admitted: number[] = [];
  let horizon = -Infinity;
  return (now: number): { ok: boolean; remaining: number; retryAfterMs?: number } => {
    horizon = Math.max(horizon, now - windowMs);
    const live = admitted.filter((at) => at > horizon).sort((a, b) => a - b);
    if (live.length >= limit) return { ok: false, remaining: 0, retryAfterMs: (live[live.length - limit] as number) + windowMs - now };
    admitted.push(now);
    return { ok: true, remaining: limit - live.length - 1 };
  };
}

/** The memory store always counts; a store without `consume` would be a test bug, not a skip. */
function consumer(store: ReturnType<typeof memoryStore>) {
  const consume = store.consume?.bind(store);
  if (!consume) throw new Error('memoryStore() has no consume()');
  return consume;
}

const summary = (result: ConsumeResult) =>
  result.ok
    ? { ok: true, remaining: result.windows[0]?.remaining }
    : { ok: false, remaining: result.reason === 'limited' ? result.windows[0]?.remaining : -1, retryAfterMs: result.reason !== 'replay' ? result.retryAfterMs : -1 };

describe('memory store: the sliding log', () => {
  it('decides exactly as the draft\'s sliding window over a long run, bursts and idle gaps, as its log rolls over many times', async () => {
    const store = memoryStore();
    const next = random(7);
    const consume = consumer(store);
    const limit = 150;
    const windowMs = 1_000;
    const model = reference(limit, windowMs);
    let now = 1_700_000_000_000;
    for (let i = 0; i < 20_000; i += 1) {
      now += next() < 0.01 ? Math.floor(next() * 3_000) : Math.floor(next() * 12); // mostly bursts, some idle gaps
      expect(summary(await consume(request(now, limit, windowMs, i))), `request ${i}`).toEqual(model(now));
    }
    await store.close?.();
  });

  it('stays exact when the clock goes back (a replica behind, or an injected clock)', async () => {
    const store = memoryStore();
    const next = random(11);
    const consume = consumer(store);
    const model = reference(100, 500);
    let now = 1_000_000;
    for (let i = 0; i < 5_000; i += 1) {
      now += Math.floor(next() * 10) - 3; // sometimes earlier than the last admission
      expect(summary(await consume(request(now, 100, 500, i))), `request ${i}`).toEqual(model(now));
    }
    await store.close?.();
  });

  it('holds no more than the window\'s live admissions against its budget: old times are given back', async () => {
    // maxEntries 201: one key plus 200 timestamps. If times that left the window still counted, the
    // 202nd admission (long after the first ones left) would be refused as `full`.
    const store = memoryStore({ maxEntries: 201 });
    const consume = consumer(store);
    for (let i = 0; i < 2_000; i += 1) {
      const result = await consume(request(1_000 + i * 10, 100, 1_000, i));
      expect(result.ok, `request ${i}`).toBe(true);
    }
    await store.close?.();
  });
});
