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
    await store.consume({ now: 1, id: 'warm', windows: windows('{warm}') }); // first use loads the script
    await server.cli('config', 'resetstat');
    const requests = 7;
    const { commands } = await clientCommands(server, async () => {
      for (let i = 0; i < requests; i += 1) {
        await store.consume({ now: 1000 + i, id: `r${i}`, replay: { key: `{s}:dpop:${i}`, ttlMs: 60_000 }, windows: windows('{s}') });
      }
    });
    expect(commands).toEqual({ evalsha: requests });
    expect(await server.cli('info', 'commandstats')).toMatch(new RegExp(`cmdstat_evalsha:calls=${requests},`));
  });

  it('prefixes every key, shares one hash tag, and lets every key expire on its own', async () => {
    const store = track(redisStore(redis, { prefix: 'ttl:' }));
    const now = Date.now();
    await store.consume({ now, id: 'x', replay: { key: '{t}:dpop:j', ttlMs: 90_000 }, windows: windows('{t}') });
    const keys = (await redis.keys('ttl:*')).sort();
    expect(keys).toEqual(['ttl:{t}:dpop:j', `ttl:{t}:h:${Math.floor(now / 3_600_000)}`, 'ttl:{t}:m']);
    for (const key of keys) {
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(3_601_000);
    }
  });

  it('fails fast with InfrastructureError when Redis is unreachable, never hangs', async () => {
    const dead = new Redis({ host: '127.0.0.1', port: server.port + 1, lazyConnect: true, enableOfflineQueue: true, retryStrategy: () => 50 });
    const errors: Error[] = [];
    const store = redisStore(dead, { timeoutMs: 200, onError: (error) => errors.push(error) });
    const attempt = store.consume({ now: 1, id: 'a', windows: windows('{d}') });
    await expect(attempt).rejects.toBeInstanceOf(InfrastructureError);
    await expect(attempt).rejects.toMatchObject({ reason: 'store_unavailable' });
    await store.close?.();
    dead.disconnect();
  });

  it('brings Redis holds and revocations; close() ends the revocation subscriber but leaves the client open', async () => {
    const clients = async () => String(await redis.client('LIST')).trim().split('\n').length;
    const before = await clients();
    const store = redisStore(redis, { prefix: 'wired:' });
    expect(store.holds).toBeDefined();
    const synced = new Promise<string>((resolve) => store.revocations?.subscribe((event) => resolve(event.type)));
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
