import { Redis, Cluster } from 'ioredis';
import type { Store } from '@aap-guard/core';
import { redisStore } from '@aap-guard/redis';
import { afterAll, beforeAll } from 'vitest';
import { startCluster, startRedis, type RedisCluster, type RedisServer } from './helpers/redis.js';
import { storeContract } from './store-contract.js';

let server: RedisServer;
let cluster: RedisCluster;
let redis: Redis;
let clusterClient: Cluster;
const stores: Store[] = [];

beforeAll(async () => {
  [server, cluster] = await Promise.all([startRedis(), startCluster(3)]);
  redis = new Redis({ host: server.host, port: server.port, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  clusterClient = new Cluster(
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
  await Promise.all([server?.stop(), cluster?.stop()]);
});

const track = (store: Store): Store => (stores.push(store), store);
storeContract('redisStore(new Redis())', () => track(redisStore(redis, { prefix: 'contract:' })));
storeContract('redisStore(new Redis.Cluster())', () => track(redisStore(clusterClient, { prefix: 'contract:' })));

