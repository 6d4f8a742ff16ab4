/** The store contract against a real redis-server and a real Redis Cluster, on ioredis 6 and ioredis 5. */
import type { Store } from '@aap-guard/core';
import { redisStore } from '@aap-guard/redis';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
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
});
