/**
 * Exactness across replicas: 3 processes of an Express API share one Redis (and, separately, a 3-node
 * Redis Cluster); several client processes fire concurrent requests with ONE token at a limit of N;
 * exactly N are admitted — every round, never N+1. On the single Redis, MONITOR also shows what a
 * request costs end to end: one EVALSHA, admitted or refused, and no other command from any replica.
 */
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fire, startReplica, type Replica } from './helpers/processes.js';
import { clientCommands, startCluster, startRedis, type RedisCluster, type RedisServer } from './helpers/redis.js';

const LIMIT = 10;
const CLIENTS = 4;
const PER_CLIENT = 25;
const REQUESTS = CLIENTS * PER_CLIENT;
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

/** One round: a fresh token, every client process at once; status → count over all of them. */
async function round(urls: readonly string[]): Promise<Record<string, number>> {
  const token = await issuer.mint({ ttl: 3600, capabilities: [{ action: 'api.call', constraints: { max_requests_per_minute: LIMIT } }] });
  const tallies = await Promise.all(Array.from({ length: CLIENTS }, () => fire(PER_CLIENT, token, urls)));
  const total: Record<string, number> = {};
  for (const tally of tallies) for (const [status, n] of Object.entries(tally)) total[status] = (total[status] ?? 0) + n;
  return total;
}

describe('rate limits across 3 replicas sharing one Redis', () => {
  it(`admits exactly ${LIMIT} of ${REQUESTS} concurrent requests with one token, in every round, at one EVALSHA per request`, async () => {
    const urls = replicas.map((replica) => `http://127.0.0.1:${replica.port}/single/x`);
    for (let n = 0; n < ROUNDS; n += 1) {
      const { result, commands } = await clientCommands(redis, () => round(urls));
      expect(result).toEqual({ 200: LIMIT, 429: REQUESTS - LIMIT });
      // From the second round on, every replica has the script cached (its first call loads it: NOSCRIPT → EVAL).
      if (n > 0) expect(commands).toEqual({ evalsha: REQUESTS });
    }
  });
});

describe('rate limits across 3 replicas sharing a 3-node Redis Cluster', () => {
  it(`admits exactly ${LIMIT} of ${REQUESTS} concurrent requests with one token, in every round`, async () => {
    const urls = replicas.map((replica) => `http://127.0.0.1:${replica.port}/cluster/x`);
    for (let n = 0; n < ROUNDS; n += 1) expect(await round(urls)).toEqual({ 200: LIMIT, 429: REQUESTS - LIMIT });
  });
});
