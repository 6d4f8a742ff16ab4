import { describe, expect, it } from 'vitest';
import { memoryStore } from '../../../src/index.js';
import type { ConsumeResult, WindowSpec } from '../../../src/base/stores/store.js';
import { windowModel } from '../../../../../test/helpers/window-model.js';
import { random } from '../../helpers/random.js';

const answer = (result: ConsumeResult): unknown => {
  if (!('windows' in result)) return result;
  const windows = result.windows.map(({ remaining, resetMs }) => ({ remaining, resetMs }));
  return result.ok ? { ok: true, windows } : { ok: false, retryAfterMs: result.retryAfterMs, windows };
};

/**
 * The memory store's bucketed windows over long runs — many more requests than a window's 61 buckets, so the
 * counter drops and reuses buckets many times — decide exactly as the reference model (test/stores/
 * window-reference.test.ts runs the short random streams on both stores).
 */
describe('memory store: bucketed windows over long runs', () => {
  it('decides as the model over 20,000 requests of bursts and idle gaps, as buckets roll over many times', async () => {
    const store = memoryStore();
    const next = random(7);
    const spec: WindowSpec = { key: '{agent}:rl:api.call:minute:s', limit: 150, windowMs: 6_000, mode: 'sliding' };
    const model = windowModel([spec]);
    let now = 1_700_000_000_000;
    for (let i = 0; i < 20_000; i += 1) {
      now += next() < 0.01 ? Math.floor(next() * 18_000) : Math.floor(next() * 72); // mostly bursts, some idle gaps
      expect(answer(await store.consume({ now, windows: [spec] })), `request ${i}`).toEqual(model.decide(now));
    }
    await store.close?.();
  });

  it('decides as the model when the clock goes back (a replica behind, or an injected clock)', async () => {
    const store = memoryStore();
    const next = random(11);
    const spec: WindowSpec = { key: 'k', limit: 100, windowMs: 3_000, mode: 'sliding' };
    const model = windowModel([spec]);
    let now = 1_000_000;
    for (let i = 0; i < 5_000; i += 1) {
      now += Math.floor(next() * 60) - 18; // sometimes earlier than the last admission
      expect(answer(await store.consume({ now, windows: [spec] })), `request ${i}`).toEqual(model.decide(now));
    }
    await store.close?.();
  });
});
