/**
 * Exactness across replicas: 3 processes of an Express API share one Redis (and, separately, a 3-node
 * Redis Cluster); several client processes fire concurrent requests with ONE token at a limit of N;
 * exactly N are admitted — every round, never N+1.
 */
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fire, startReplica, type Replica } from './helpers/processes.js';
import { startCluster, startRedis, type RedisCluster, type RedisServer } from './helpers/redis.js';

const LIMIT = 10;
const CLIENTS = 4;
const PER_CLIENT = 25;
const ROUNDS = 3;

let issuer: TestIssuer;
let redis: RedisServer;
let cluster: RedisCluster;
let replicas: Replica[] = [];

beforeAll(async () => {
  issuer = await createIssuer();
  [redis, cluster] = await Promise.all([startRedis(), startCluster(3)]);
  const env = {
    AAP_JWKS: JSON.stringify(issuer.jwks),
    REDIS_SINGLE: `${redis.host}:${redis.port}`,
    REDIS_CLUSTER: cluster.nodes.map((node) => `${node.host}:${node.port}`).join(','),
  };
  replicas = await Promise.all([startReplica(env), startReplica(env), startReplica(env)]);
});

afterAll(async () => {
  await Promise.all(replicas.map((replica) => replica.stop()));
  await Promise.all([redis?.stop(), cluster?.stop()]);
});

describe.each(['single', 'cluster'])('rate limits across 3 replicas sharing Redis (%s)', (mode) => {
  it(`admits exactly ${LIMIT} of ${CLIENTS * PER_CLIENT} concurrent requests with one token, in every round`, async () => {
    const urls = replicas.map((replica) => `http://127.0.0.1:${replica.port}/${mode}/x`);
    for (let round = 0; round < ROUNDS; round += 1) {
      const token = await issuer.mint({ ttl: 3600, capabilities: [{ action: 'api.call', constraints: { max_requests_per_minute: LIMIT } }] });
      const tallies = await Promise.all(Array.from({ length: CLIENTS }, () => fire(PER_CLIENT, token, urls)));
      const total: Record<string, number> = {};
      for (const tally of tallies) for (const [status, n] of Object.entries(tally)) total[status] = (total[status] ?? 0) + n;
      expect(total).toEqual({ 200: LIMIT, 429: CLIENTS * PER_CLIENT - LIMIT });
    }
  });
});
