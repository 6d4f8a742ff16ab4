/**
 * The Redis store's batches (issue 26, the Redis goal): a window whose limit allows it takes ⌊limit × batch⌋
 * requests per script call and admits them on the replica while their bucket lasts, handing back what it did
 * not use on its next call. Three replicas (three clients, three stores) on one real redis-server, random
 * arrival streams under an injected clock, each request on a random replica, through `store.consume()`:
 *
 * - never more than the limit in ANY interval of a sliding window's length, or in a fixed window's bucket;
 * - a refusal only when at least the limit minus one bucket's slice minus what the replicas hold in batches
 *   (at most replicas × (batch − 1)) was admitted;
 * - far fewer script calls than requests (Redis `INFO commandstats`), one call at a time per window list
 *   under concurrency, and exact (one call per request) for small limits and DPoP requests.
 */
import type { ConsumeRequest, Store, WindowSpec } from '@aap-guard/core/store';
import { redisStore } from '@aap-guard/redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { arrivals, checkBounds, HOUR, MINUTE, random, T0 } from '../helpers/window-streams.js';

const REPLICAS = 3;
const BATCH = 0.05;
let server: RedisServer;
const clients: Redis[] = [];
let run = 0;

beforeAll(async () => {
  server = await startRedis();
  for (let i = 0; i < REPLICAS + 1; i += 1) {
    const client = new Redis({
      host: server.host,
      port: server.port,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
    });
    await new Promise((resolve) => client.once('ready', resolve));
    clients.push(client);
  }
});

afterAll(async () => {
  for (const client of clients) client.disconnect();
  await server?.stop();
});

/** Three replicas' stores on one Redis, one key prefix per test. */
function replicas(batch = BATCH): Store[] {
  const prefix = `batches${(run += 1)}:`;
  return clients.slice(0, REPLICAS).map((client) => redisStore(client, { prefix, batch }));
}

/** Script calls Redis has run so far (`EVALSHA` and the first `EVAL` of each connection). */
async function scriptCalls(): Promise<number> {
  const info = await clients[REPLICAS]!.info('commandstats');
  let calls = 0;
  for (const match of info.matchAll(/cmdstat_(evalsha|eval):calls=(\d+)/g)) calls += Number(match[2]);
  return calls;
}

const FAMILIES: readonly { name: string; specs: Omit<WindowSpec, 'key'>[]; windowMs: number }[] = [
  { name: 'minute sliding, 400', specs: [{ limit: 400, windowMs: MINUTE, mode: 'sliding' }], windowMs: MINUTE },
  { name: 'minute fixed, 200', specs: [{ limit: 200, windowMs: MINUTE, mode: 'fixed' }], windowMs: MINUTE },
  {
    name: 'minute sliding 300 + hour fixed 2,000',
    specs: [
      { limit: 300, windowMs: MINUTE, mode: 'sliding' },
      { limit: 2000, windowMs: HOUR, mode: 'fixed' },
    ],
    windowMs: HOUR,
  },
];

describe('Redis store: quota taken in batches across three replicas', () => {
  describe.each(FAMILIES.map((family) => [family.name, family] as const))('%s', (_name, family) => {
    it.each([1, 2, 3, 4, 5, 6])(
      'random stream, seed %i: never over the limit, refusals only within the batches held',
      async (seed) => {
        const rand = random(seed * 6151 + family.name.length);
        const specs: WindowSpec[] = family.specs.map((spec, i) => ({ ...spec, key: `{batch}:w${i}` }));
        const stores = replicas();
        const smallest = Math.min(...specs.map((s) => s.limit));
        const slack = REPLICAS * (Math.floor(smallest * BATCH) - 1);
        const admitted: number[] = [];
        const refused: { t: number }[] = [];
        const times = arrivals(rand, smallest, family.windowMs === HOUR ? MINUTE : family.windowMs, 8);
        for (const t of times) {
          const store = stores[Math.floor(rand() * REPLICAS)]!;
          const result = await store.consume({ now: t, windows: specs });
          if (result.ok) admitted.push(t);
          else refused.push({ t });
        }
        expect(admitted.length).toBeGreaterThan(0);
        expect(refused.length).toBeGreaterThan(0);
        for (const spec of specs)
          checkBounds(
            spec,
            admitted,
            specs.length === 1 ? refused : [],
            `${family.name} [${spec.mode}], seed ${seed}`,
            slack,
          );
        await Promise.all(stores.map((store) => store.close?.()));
      },
    );
  });

  it('under a steady high rate, one script call per replica and bucket, not one per request', async () => {
    const stores = replicas(0.001);
    const windows: WindowSpec[] = [{ key: '{steady}:m', limit: 100_000, windowMs: MINUTE, mode: 'sliding' }];
    const before = await scriptCalls();
    let admitted = 0;
    for (let i = 0; i < 1000; i += 1) {
      const result = await stores[i % REPLICAS]!.consume({ now: T0 + 5 * i, windows }); // 200/s for 5 s
      if (result.ok) admitted += 1;
    }
    expect(admitted).toBe(1000);
    // Batches of 100, each valid for its 1 s bucket: about 3 replicas × 5 buckets (+ a new batch when one runs out).
    expect((await scriptCalls()) - before).toBeLessThanOrEqual(30);
    await Promise.all(stores.map((store) => store.close?.()));
  });

  it('admits from a batch only within the bucket it was recorded in: never over the limit later', async () => {
    const [a, b] = replicas(0.1);
    const windows: WindowSpec[] = [{ key: '{stale}:m', limit: 100, windowMs: MINUTE, mode: 'sliding' }];
    const admitted: number[] = [];
    const consume = async (store: Store, now: number) => {
      const result = await store.consume({ now, windows });
      if (result.ok) admitted.push(now);
      return result.ok;
    };
    expect(await consume(a!, T0)).toBe(true); // a takes 10 in bucket T0, holds 9
    for (let i = 0; i < 95; i += 1) await consume(b!, T0 + 50_000 + i);
    for (let i = 0; i < 15; i += 1) await consume(b!, T0 + 60_500 + i); // bucket T0 has left the window
    for (let i = 0; i < 9; i += 1) await consume(a!, T0 + 60_600 + i); // a's 9 belong to bucket T0: not usable now
    checkBounds(windows[0]!, admitted, [], 'stale batch', REPLICAS * 9);
    await Promise.all([a!.close?.(), b!.close?.()]);
  });

  it('takes one batch at a time per window list: concurrent requests wait for it and share it', async () => {
    const [store] = replicas();
    const windows: WindowSpec[] = [{ key: '{burst}:m', limit: 1000, windowMs: MINUTE, mode: 'sliding' }];
    const before = await scriptCalls();
    const now = T0 + 10;
    const results = await Promise.all(Array.from({ length: 120 }, () => store!.consume({ now, windows })));
    expect(results.every((r) => r.ok)).toBe(true);
    // 120 requests, batches of 50: three calls, not 120.
    expect((await scriptCalls()) - before).toBe(3);
    await store!.close?.();
  });

  it('hands back what a batch did not use, so another replica gets the quota', async () => {
    const [a, b] = replicas(0.5);
    const windows: WindowSpec[] = [{ key: '{handback}:m', limit: 10, windowMs: MINUTE, mode: 'sliding' }];
    const request = (now: number): ConsumeRequest => ({ now, windows });
    expect((await a!.consume(request(T0))).ok).toBe(true); // takes 5, uses 1
    for (let i = 0; i < 5; i += 1) expect((await b!.consume(request(T0 + 1))).ok).toBe(true); // takes 5, uses 5
    expect((await b!.consume(request(T0 + 2))).ok).toBe(false); // 10 recorded: a holds 4
    // The next bucket: a's next call hands its 4 unused back to bucket T0 (else 10 are recorded and it is
    // refused), then takes the 4 left: the limit is reached exactly, by requests actually admitted.
    expect((await a!.consume(request(T0 + 1_000))).ok).toBe(true);
    for (let i = 0; i < 3; i += 1) expect((await a!.consume(request(T0 + 1_001))).ok).toBe(true);
    expect((await a!.consume(request(T0 + 1_002))).ok).toBe(false);
    expect((await b!.consume(request(T0 + 2_000))).ok).toBe(false);
    await Promise.all([a!.close?.(), b!.close?.()]);
  });

  it('is exact below 2 / batch and for DPoP requests: one call per request, the remaining count exact', async () => {
    const [store] = replicas(0.001);
    const small: WindowSpec[] = [{ key: '{exact}:m', limit: 1999, windowMs: MINUTE, mode: 'sliding' }];
    const large: WindowSpec[] = [{ key: '{exact}:l', limit: 1_000_000, windowMs: MINUTE, mode: 'sliding' }];
    const before = await scriptCalls();
    for (let i = 0; i < 5; i += 1) {
      const result = await store!.consume({ now: T0 + i, windows: small });
      expect(result.ok && result.windows[0]!.remaining).toBe(1999 - (i + 1));
    }
    for (let i = 0; i < 5; i += 1) {
      const replay = { key: `{exact}:dpop:${i}`, ttlMs: 60_000 };
      expect((await store!.consume({ now: T0 + i, windows: large, replay })).ok).toBe(true);
    }
    expect(
      await store!.consume({ now: T0 + 9, windows: large, replay: { key: '{exact}:dpop:0', ttlMs: 60_000 } }),
    ).toEqual({ ok: false, reason: 'replay' });
    expect((await scriptCalls()) - before).toBe(11);
    await store!.close?.();
  });

  it('refuses a batch option that is not a fraction', () => {
    for (const batch of [-0.1, 1, 2, Number.NaN, '0.1'])
      expect(() => redisStore(clients[0]!, { batch: batch as number })).toThrow(TypeError);
  });
});
