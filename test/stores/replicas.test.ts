/**
 * Exactness across replicas: 3 processes of an Express API share one Redis (and, separately, a 3-node
 * Redis Cluster); several client processes fire concurrent requests with ONE token at a limit of N;
 * exactly N are admitted — every round, never N+1. On the single Redis, MONITOR also shows what a
 * request costs end to end: one EVALSHA, admitted or refused, and no other command from any replica.
 * The same processes show holds and revocations crossing replicas: a hold approved on one replica lets
 * exactly one of many racing retries through, and a task revoked on one is refused by the others.
 */
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fire, startReplica, type Replica } from '../helpers/processes.js';
import { until } from '../helpers/until.js';
import { clientCommands, startCluster, startRedis, type RedisCluster, type RedisServer } from '../helpers/redis.js';

const LIMIT = 10;
const CLIENTS = 4;
const PER_CLIENT = 25;
const REQUESTS = CLIENTS * PER_CLIENT;
const ROUNDS = 3;
const ADMIN_KEY = 'replica-test-admin';
/**
 * Tests that start processes (client processes every round, a fresh replica) get a budget of their own:
 * they assert exactness, not speed, and on a 2-core machine shared by several people (load ~14) three
 * rounds of 4 client processes against 3 replica processes took over the 20 s default — old code as well.
 */
const PROCESSES = { timeout: 120_000 };

let issuer: TestIssuer;
let redis: RedisServer;
let cluster: RedisCluster;
let replicas: Replica[] = [];

beforeAll(async () => {
  issuer = await createIssuer();
  [redis, cluster] = await Promise.all([startRedis(), startCluster(3)]);
  const env = {
    REPLICA_JWKS: JSON.stringify(issuer.jwks),
    REDIS_SINGLE: `${redis.host}:${redis.port}`,
    REDIS_CLUSTER: cluster.nodes.map((node) => `${node.host}:${node.port}`).join(','),
    EXAMPLE_ADMIN_KEY: ADMIN_KEY,
  };
  replicas = await Promise.all([startReplica(env), startReplica(env), startReplica(env)]);
});

afterAll(async () => {
  await Promise.all(replicas.map((replica) => replica.stop()));
  await Promise.all([redis?.stop(), cluster?.stop()]);
});

/** One round: a fresh token, every client process at once; status → count over all of them. */
async function round(urls: readonly string[]): Promise<Record<string, number>> {
  const token = await issuer.mint({
    ttl: 3600,
    capabilities: [{ action: 'api.call', constraints: { max_requests_per_minute: LIMIT } }],
  });
  const tallies = await Promise.all(Array.from({ length: CLIENTS }, () => fire(PER_CLIENT, token, urls)));
  const total: Record<string, number> = {};
  for (const tally of tallies)
    for (const [status, n] of Object.entries(tally)) total[status] = (total[status] ?? 0) + n;
  return total;
}

describe('rate limits across 3 replicas sharing one Redis', () => {
  it(
    `admits exactly ${LIMIT} of ${REQUESTS} concurrent requests with one token, in every round, at one EVALSHA per request`,
    PROCESSES,
    async () => {
      const urls = replicas.map((replica) => `http://127.0.0.1:${replica.port}/single/x`);
      for (let n = 0; n < ROUNDS; n += 1) {
        const { result, commands } = await clientCommands(redis, () => round(urls));
        expect(result).toEqual({ 200: LIMIT, 429: REQUESTS - LIMIT });
        // From the second round on, every replica has the scripts cached (its first call loads it: NOSCRIPT → EVAL).
        // The round's token is new to every replica: each records it once (its capabilities, for the breadth of
        // tokens delegated from it), then every request is the one consume call.
        if (n > 0) expect(commands).toEqual({ evalsha: REQUESTS + replicas.length });
      }
    },
  );
});

describe('rate limits across 3 replicas sharing a 3-node Redis Cluster', () => {
  it(
    `admits exactly ${LIMIT} of ${REQUESTS} concurrent requests with one token, in every round`,
    PROCESSES,
    async () => {
      const urls = replicas.map((replica) => `http://127.0.0.1:${replica.port}/cluster/x`);
      for (let n = 0; n < ROUNDS; n += 1) expect(await round(urls)).toEqual({ 200: LIMIT, 429: REQUESTS - LIMIT });
    },
  );
});

/** One request to a replica; resolves status and JSON body. */
async function call(
  url: string,
  token: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, ...headers } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** An admin call (POST with a JSON body) to a replica's admin API. */
async function admin(base: string, path: string, body: unknown): Promise<number> {
  const res = await fetch(`${base}/admin${path}`, {
    method: 'POST',
    headers: { 'x-admin-key': ADMIN_KEY, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

describe.each(['single', 'cluster'])('holds and revocation across 3 replica processes (%s)', (mode) => {
  const bases = () => replicas.map((replica) => `http://127.0.0.1:${replica.port}/${mode}`);

  it('a hold created on one replica and approved on another lets exactly one racing retry through', async () => {
    const [one, two, three] = bases() as [string, string, string];
    const token = await issuer.mint({
      capabilities: [{ action: 'api.call' }],
      sections: { oversight: { requires_human_approval_for: ['api.call'] } },
    });
    const held = await call(`${one}/x`, token);
    expect([held.status, held.body.reason]).toEqual([403, 'approval_required']);
    const hold = { 'aap-hold-id': String(held.body.hold_id) };
    expect((await call(`${two}/x`, token, hold)).body.reason).toBe('hold_pending');
    expect(await admin(two, `/holds/${hold['aap-hold-id']}/approve`, { note: 'ok' })).toBe(200);
    const retries = await Promise.all(
      [one, two, three, one, two, three, one, two, three].map((base) => call(`${base}/x`, token, hold)),
    );
    const outcomes = retries.map((r) => (r.status === 200 ? 'allowed' : String(r.body.reason))).sort();
    expect(outcomes).toEqual(['allowed', ...Array(8).fill('hold_used')]);
  });

  it('a task revoked on one replica is refused by the other two within a second', async () => {
    const [one, two, three] = bases() as [string, string, string];
    const taskId = `task-${mode}-cancelled`;
    const token = await issuer.mint({ taskId, capabilities: [{ action: 'api.call' }] });
    for (const base of [one, two, three]) expect((await call(`${base}/x`, token)).status).toBe(200);
    expect(await admin(one, '/revocations', { taskId })).toBe(201);
    // The propagation bound is the deadline of this wait: past it, the wait throws.
    await Promise.all(
      [two, three].map((base) =>
        until(async () => (await call(`${base}/x`, token)).body.reason === 'token_revoked', 1000),
      ),
    );
  });
});

/** A delegated token: `jti`, minted from `parent` at `depth` (the chain ends with the holder, the default agent). */
const delegated = (jti: string, parent: string, depth: number) =>
  issuer.mint({
    claims: { jti },
    capabilities: [{ action: 'api.call' }],
    sections: {
      delegation: {
        depth,
        max_depth: 3,
        chain: [...['orchestrator', 'planner', 'researcher'].slice(0, depth), 'agent-researcher-01'],
        parent_jti: parent,
      },
    },
  });

describe.each(['single', 'cluster'])('lineage of delegated tokens across replica processes (%s)', (mode) => {
  const bases = () => replicas.map((replica) => `http://127.0.0.1:${replica.port}/${mode}`);
  const env = () => ({
    REPLICA_JWKS: JSON.stringify(issuer.jwks),
    REDIS_SINGLE: `${redis.host}:${redis.port}`,
    REDIS_CLUSTER: cluster.nodes.map((node) => `${node.host}:${node.port}`).join(','),
    EXAMPLE_ADMIN_KEY: ADMIN_KEY,
  });

  it(
    'revoking a token refuses its grandchild on a replica that never saw the child, and on a freshly started one',
    PROCESSES,
    async () => {
      const [one, two, three] = bases() as [string, string, string];
      const [a, b, c] = [`${mode}-token-A`, `${mode}-token-B`, `${mode}-token-C`];
      const root = await issuer.mint({ claims: { jti: a }, capabilities: [{ action: 'api.call' }] });
      const child = await delegated(b, a, 1);
      const grandchild = await delegated(c, b, 2);
      expect((await call(`${one}/x`, child)).status).toBe(200); // only replica one has seen B (whose parent is A)
      expect(await admin(one, '/revocations', { jti: a })).toBe(201);
      // The revocation of A has reached the other replicas (by pub/sub) — A itself tells nothing about lineage.
      await Promise.all(
        [two, three].map((base) =>
          until(async () => (await call(`${base}/x`, root)).body.reason === 'token_revoked', 5000),
        ),
      );
      expect((await call(`${two}/x`, grandchild)).body.reason).toBe('token_revoked'); // two never saw B
      const fresh = await startReplica(env());
      try {
        expect((await call(`http://127.0.0.1:${fresh.port}/${mode}/x`, grandchild)).body.reason).toBe('token_revoked');
      } finally {
        await fresh.stop();
      }
    },
  );

  if (mode === 'single') {
    it('a delegated token costs one script call on its first request to a replica, and none after', async () => {
      const [, , three] = bases() as [string, string, string];
      const warm = await delegated(`${mode}-warm-child`, `${mode}-warm-root`, 1);
      expect((await call(`${three}/x`, warm)).status).toBe(200); // loads the lineage script on this connection
      const token = await delegated(`${mode}-costed-child`, `${mode}-costed-root`, 1);
      const first = await clientCommands(redis, () => call(`${three}/x`, token));
      expect([first.result.status, first.commands]).toEqual([200, { evalsha: 1 }]);
      const again = await clientCommands(redis, async () => [
        await call(`${three}/x`, token),
        await call(`${three}/x`, token),
      ]);
      expect([again.result.map((r) => r.status), again.commands]).toEqual([[200, 200], {}]);
    });
  }
});
