/**
 * Reference model of the bucketed windows (issue 26 item 4, issue 24 item 3), for the memory store and a real
 * Redis. Random arrival streams under an injected clock (seeded, so a failure names its stream) go through
 * `store.consume()`; each decision, `retryAfterMs` and window state (remaining, reset) must equal the
 * reference model's (test/helpers/window-model.ts: `windowBuckets()` computed from the full list of
 * counted requests) — and the admitted requests must keep the stated bounds:
 *
 * - sliding: never more than the limit in ANY interval of the window's length; a refusal only when at least the
 *   limit were admitted in the window extended by one bucket (so at least the limit minus the requests of that
 *   one bucket's slice, inside the window itself); a refused request's wait at most one bucket longer than an
 *   exact log's; under saturating demand, at least the limit per window + one bucket;
 * - fixed: never more than the limit in any clock-aligned bucket (minute 0, 00:00 UTC), and a refusal only when
 *   the bucket holds the limit.
 */
import { memoryStore, type Store } from '@aap-guard/core';
import { windowBuckets, type ConsumeResult, type WindowSpec } from '@aap-guard/core/store';
import { redisStore } from '@aap-guard/redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { windowModel } from '../helpers/window-model.js';
import { arrivals, checkBounds, DAY, HOUR, MINUTE, random, SECOND, T0 } from '../helpers/window-streams.js';

interface Family {
  readonly name: string;
  readonly windows: (rand: () => number) => Omit<WindowSpec, 'key'>[];
  /** Arrival pattern: the window whose scale it follows, and how many of its windows the stream spans. */
  readonly scale: (specs: readonly Omit<WindowSpec, 'key'>[]) => {
    perWindow: number;
    windowMs: number;
    windows: number;
  };
}

const limit = (rand: () => number, choices: readonly number[]) => choices[Math.floor(rand() * choices.length)]!;
const FAMILIES: readonly Family[] = [
  {
    name: 'minute sliding',
    windows: (rand) => [{ limit: limit(rand, [1, 2, 3, 5, 10, 37]), windowMs: MINUTE, mode: 'sliding' }],
    scale: ([m]) => ({ perWindow: m!.limit, windowMs: MINUTE, windows: 6 }),
  },
  {
    name: 'minute fixed',
    windows: (rand) => [{ limit: limit(rand, [1, 3, 8]), windowMs: MINUTE, mode: 'fixed' }],
    scale: ([m]) => ({ perWindow: m!.limit, windowMs: MINUTE, windows: 6 }),
  },
  {
    name: 'minute sliding + hour fixed (the default), all or nothing',
    windows: (rand) => [
      { limit: limit(rand, [2, 5]), windowMs: MINUTE, mode: 'sliding' },
      { limit: limit(rand, [10, 30]), windowMs: HOUR, mode: 'fixed' },
    ],
    scale: ([, h]) => ({ perWindow: h!.limit, windowMs: HOUR, windows: 3 }),
  },
  {
    name: 'hour sliding + day fixed',
    windows: (rand) => [
      { limit: limit(rand, [3, 7]), windowMs: HOUR, mode: 'sliding' },
      { limit: limit(rand, [20, 50]), windowMs: DAY, mode: 'fixed' },
    ],
    scale: ([, d]) => ({ perWindow: d!.limit, windowMs: DAY, windows: 3 }),
  },
];
const SEEDS = Array.from({ length: 12 }, (_, i) => i + 1);

let server: RedisServer;
let redis: Redis;
let run = 0;

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis({ host: server.host, port: server.port, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  await new Promise((resolve) => redis.once('ready', resolve));
});

afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

const stores: Record<string, () => Store> = {
  memory: () => memoryStore(),
  redis: () => redisStore(redis, { prefix: `reference${(run += 1)}:` }),
};

describe.each(Object.keys(stores))('bucketed windows against the reference model (%s store)', (storeName) => {
  describe.each(FAMILIES.map((family) => [family.name, family] as const))('%s', (_name, family) => {
    it.each(SEEDS)(
      'random stream, seed %i: same decisions and waits as the model, within the stated bounds',
      async (seed) => {
        const rand = random(seed * 7919 + family.name.length);
        const specs: WindowSpec[] = family.windows(rand).map((spec, i) => ({ ...spec, key: `{ref}:w${i}` }));
        const { perWindow, windowMs, windows } = family.scale(specs);
        const store = stores[storeName]!();
        const model = windowModel(specs);
        const admitted: number[] = [];
        const refused: { t: number; retryAfterMs: number }[] = [];
        for (const t of arrivals(rand, perWindow, windowMs, windows)) {
          const result = await store.consume({ now: t, windows: specs });
          expect(answer(result), `${family.name}, seed ${seed}, t=${t}`).toEqual(model.decide(t));
          if (result.ok) admitted.push(t);
          else refused.push({ t, retryAfterMs: (result as { retryAfterMs: number }).retryAfterMs });
        }
        expect(admitted.length).toBeGreaterThan(0);
        expect(refused.length).toBeGreaterThan(0);
        for (const spec of specs) {
          // with several windows a refusal counts for each window that would refuse it alone; its wait is the longest
          const mine =
            specs.length === 1
              ? refused
              : refused.filter(({ t }) => refusesAlone(spec, admitted, t)).map(({ t }) => ({ t }));
          checkBounds(spec, admitted, mine, `${family.name} [${spec.mode} ${spec.windowMs}], seed ${seed}`);
        }
        await store.close?.();
      },
    );
  });

  it.each(SEEDS)(
    'a clock that goes back by up to 3 s (seed %i): the same decisions, waits and states as the model',
    async (seed) => {
      const rand = random(seed * 104_729);
      const spec: WindowSpec = {
        key: '{jitter}:m',
        limit: limit(rand, [1, 2, 5, 12]),
        windowMs: MINUTE,
        mode: 'sliding',
      };
      const store = stores[storeName]!();
      const model = windowModel([spec]);
      for (const t of arrivals(rand, spec.limit, MINUTE, 5).map((time) =>
        rand() < 0.3 ? time - Math.floor(rand() * 3 * SECOND) : time,
      )) {
        expect(answer(await store.consume({ now: t, windows: [spec] })), `seed ${seed}, t=${t}`).toEqual(
          model.decide(t),
        );
      }
      await store.close?.();
    },
  );

  it('under saturating demand admits at least the limit per window plus one bucket, and never more than the limit per window', async () => {
    const store = stores[storeName]!();
    const spec: WindowSpec = { key: '{saturated}:m', limit: 10, windowMs: MINUTE, mode: 'sliding' };
    const admitted: number[] = [];
    const span = 10 * MINUTE;
    for (let t = T0 + 250; t < T0 + 250 + span; t += 100)
      if ((await store.consume({ now: t, windows: [spec] })).ok) admitted.push(t);
    expect(admitted.length).toBeGreaterThanOrEqual(spec.limit * Math.floor(span / (MINUTE + SECOND)));
    expect(admitted.length).toBeLessThanOrEqual(spec.limit * Math.ceil(span / MINUTE));
    checkBounds(spec, admitted, [], 'saturated');
    await store.close?.();
  });
});

/** A store's answer in the model's terms (a replay or a full budget would show as itself and fail the comparison). */
function answer(result: ConsumeResult): unknown {
  if (!('windows' in result)) return result;
  const windows = result.windows.map(({ remaining, resetMs }) => ({ remaining, resetMs }));
  return result.ok ? { ok: true, windows } : { ok: false, retryAfterMs: result.retryAfterMs, windows };
}

/** Whether `spec`'s window, over the admitted requests before `t`, refuses a request at `t`. */
function refusesAlone(spec: WindowSpec, admitted: readonly number[], t: number): boolean {
  const { bucketMs, lookback } = windowBuckets(spec);
  const floor = Math.floor(t / bucketMs) - lookback;
  return admitted.filter((a) => a <= t && Math.floor(a / bucketMs) >= floor).length >= spec.limit;
}
