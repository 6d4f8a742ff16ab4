/** Redis-specific behaviour of the store (the shared contract runs in test/stores/store-redis.test.ts). */
import { Redis } from 'ioredis';
import { InfrastructureError, type Store } from '@aap-guard/core';
import { redisStore } from '@aap-guard/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientCommands, startRedis, type RedisServer } from '../../../test/helpers/redis.js';

let server: RedisServer;
let redis: Redis;
const stores: Store[] = [];
const track = (store: Store): Store => (stores.push(store), store);

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis({ host: server.host, port: server.port, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  await new Promise((resolve) => redis.once('ready', resolve));
});

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close?.()));
  redis?.disconnect();
  await server?.stop();
});

const windows = (key: string) => [
  { key: `${key}:m`, limit: 5, windowMs: 60_000, mode: 'sliding' as const },
  { key: `${key}:h`, limit: 50, windowMs: 3_600_000, mode: 'fixed' as const },
];

describe('redisStore', () => {
  it('costs exactly one EVALSHA per request, for all windows and the replay key (MONITOR and INFO commandstats)', async () => {
    const store = track(redisStore(redis, { prefix: 'stats:' }));
    await store.consume({ now: 1, windows: windows('{warm}') }); // first use loads the script
    await server.cli('config', 'resetstat');
    const requests = 7;
    const { commands } = await clientCommands(server, async () => {
      for (let i = 0; i < requests; i += 1) {
        await store.consume({
          now: 1000 + i,
          replay: { key: `{s}:dpop:${i}`, ttlMs: 60_000 },
          windows: windows('{s}'),
        });
      }
    });
    expect(commands).toEqual({ evalsha: requests });
    expect(await server.cli('info', 'commandstats')).toMatch(new RegExp(`cmdstat_evalsha:calls=${requests},`));
  });

  it('prefixes every key, shares one hash tag, and lets every key expire on its own', async () => {
    const store = track(redisStore(redis, { prefix: 'ttl:' }));
    const now = Date.now();
    await store.consume({ now, replay: { key: '{t}:dpop:j', ttlMs: 90_000 }, windows: windows('{t}') });
    const keys = (await redis.keys('ttl:*')).sort();
    expect(keys).toEqual(['ttl:{t}:dpop:j', 'ttl:{t}:h', 'ttl:{t}:m']);
    const ttls = Object.fromEntries(await Promise.all(keys.map(async (key) => [key, await redis.pttl(key)] as const)));
    expect(ttls['ttl:{t}:dpop:j']).toBeGreaterThan(89_000);
    expect(ttls['ttl:{t}:m']).toBeGreaterThan(60_000 - 1000); // until its newest 1 s bucket has left the minute
    expect(ttls['ttl:{t}:m']).toBeLessThanOrEqual(61_000);
    expect(ttls['ttl:{t}:h']).toBeGreaterThan(0); // until the end of the clock hour
    expect(ttls['ttl:{t}:h']).toBeLessThanOrEqual(3_600_000 - (now % 3_600_000));
  });

  it('keeps a window in a few hundred bytes whatever its limit: at most 61 bucket counts after 5,000 requests', async () => {
    const store = track(redisStore(redis, { prefix: 'bounded:' }));
    const window = [{ key: '{b}:m', limit: 100_000_000, windowMs: 60_000, mode: 'sliding' as const }];
    const t0 = 1_735_686_000_000;
    for (let i = 0; i < 5000; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, j) => store.consume({ now: t0 + (i + j) * 37, windows: window })),
      );
    }
    expect(await redis.hlen('bounded:{b}:m')).toBeLessThanOrEqual(61 + 5); // buckets + n, o, h, w, v
    expect(await redis.memory('USAGE', 'bounded:{b}:m')).toBeLessThan(1024);
  });

  it('fails fast with InfrastructureError when Redis is unreachable, never hangs', async () => {
    const dead = new Redis({
      host: '127.0.0.1',
      port: server.port + 1,
      lazyConnect: true,
      enableOfflineQueue: true,
      retryStrategy: () => 50,
    });
    const errors: Error[] = [];
    const store = redisStore(dead, { timeoutMs: 200, onError: (error) => errors.push(error) });
    const attempt = store.consume({ now: 1, windows: windows('{d}') });
    await expect(attempt).rejects.toBeInstanceOf(InfrastructureError);
    await expect(attempt).rejects.toMatchObject({ reason: 'store_unavailable' });
    await store.close?.();
    dead.disconnect();
  });

  it('brings Redis holds and revocations; close() ends the revocation subscriber but leaves the client open', async () => {
    const clients = async () =>
      String(await redis.client('LIST'))
        .trim()
        .split('\n').length;
    const before = await clients();
    const store = redisStore(redis, { prefix: 'wired:' });
    expect(store.holds).toBeDefined();
    // the first sync: the revocation list (a 'keys' event — the distrusted keys — may come before it)
    const synced = new Promise<string>((resolve) =>
      store.revocations?.subscribe((event) => event.type === 'synced' && resolve(event.type)),
    );
    expect(await synced).toBe('synced');
    expect(await clients()).toBe(before + 1);
    await store.close?.();
    await expect.poll(clients).toBe(before);
    expect(redis.status).toBe('ready');
  });

  it('rejects bad options at construction', () => {
    expect(() => redisStore(redis, { prefix: 'a{b}' })).toThrow(/prefix/);
    expect(() => redisStore(redis, { timeoutMs: 0 })).toThrow(/timeoutMs/);
  });
});
