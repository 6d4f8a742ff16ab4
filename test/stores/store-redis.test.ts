/** The store contract against a real redis-server and a real Redis Cluster, on ioredis 6 and ioredis 5. */
import type { Store } from '@aap-guard/core';
import { redisStore } from '@aap-guard/redis';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachIoRedis } from '../helpers/ioredis.js';
import { startCluster, startRedis, type RedisCluster, type RedisServer } from '../helpers/redis.js';
import { storeContract } from './store-contract.js';

let server: RedisServer;
let cluster: RedisCluster;

beforeAll(async () => {
  [server, cluster] = await Promise.all([startRedis(), startCluster(3)]);
});

afterAll(async () => {
  await Promise.all([server?.stop(), cluster?.stop()]);
});

let run = 0;
forEachIoRedis('redisStore', (ioredis) => {
  const prefix = `contract${(run += 1)}:`;
  let redis: Redis;
  let clusterClient: Cluster;
  const stores: Store[] = [];

  beforeAll(async () => {
    redis = new ioredis.Redis({
      host: server.host,
      port: server.port,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
    });
    clusterClient = new ioredis.Cluster(
      cluster.nodes.map(({ host, port }) => ({ host, port })),
      { enableOfflineQueue: true, redisOptions: { maxRetriesPerRequest: 1 } },
    );
    await new Promise((resolve) => redis.once('ready', resolve));
    await clusterClient.ping();
  });

  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close?.()));
    redis?.disconnect();
    clusterClient?.disconnect();
  });

  const track = (store: Store): Store => (stores.push(store), store);
  storeContract('redisStore(new Redis())', () => track(redisStore(redis, { prefix })));
  storeContract('redisStore(new Redis.Cluster())', () => track(redisStore(clusterClient, { prefix })));

  // The scripts the contract's small limits do not reach, on a Cluster: batches, records, distrusted keys.
  it('on a Cluster: takes high quotas in batches, records tokens, distrusts and trusts keys', async () => {
    const store = track(redisStore(clusterClient, { prefix: `${prefix}more:`, batch: 0.01 }));
    const now = Date.UTC(2025, 0, 1, 0, 0, 10);
    const windows = [{ key: '{cluster-batch}:rl:m', limit: 10_000, windowMs: 60_000, mode: 'sliding' as const }];
    const results = await Promise.all(Array.from({ length: 250 }, (_, i) => store.consume({ now: now + i, windows })));
    expect(results.every((r) => r.ok)).toBe(true);
    const last = results[249]!;
    expect(last.ok && last.windows[0]!.remaining).toBeLessThan(10_000 - 200);
    const revocations = store.revocations!;
    const parent = { issuer: 'https://as.example.com', parent: undefined, until: now + 60_000, now };
    await revocations.record!({ ...parent, jti: 'p1', capabilities: '[{"action":"a"}]' });
    const child = await revocations.record!({ ...parent, jti: 'c1', parent: 'p1', capabilities: '[]' });
    expect(child).toEqual({ chain: ['p1'], parent: '[{"action":"a"}]' });
    const key = { issuer: 'https://as.example.com', kid: 'k1', at: now, by: 'ops', reason: 'leaked' };
    await revocations.distrustKey!(key);
    expect(await revocations.distrustedKeys!()).toEqual([expect.objectContaining({ kid: 'k1' })]);
    expect(await revocations.trustKey!(key.issuer, 'k1')).toBe(true);
    expect(await revocations.distrustedKeys!()).toEqual([]);
  });
});
