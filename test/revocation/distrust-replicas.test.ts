/**
 * Issue 24, items 2 and 7 across replicas: 3 processes of an Express API (test/fixtures/replica-server.ts)
 * share one real redis-server.
 * - A key distrusted through one replica's admin API refuses, on the other replicas, a token they had
 *   verified and cached — within a second (the revocation channel's fan-out, no extra call per request) —
 *   and on a replica started afterwards; lifted through another replica, every replica admits it again.
 * - A parent token seen by one replica is known to the others: its broader child is refused on a replica
 *   that never saw the parent.
 */
import { randomUUID } from 'node:crypto';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReplica, type Replica } from '../helpers/processes.js';
import { until } from '../helpers/until.js';
import { clientCommands, startRedis, type RedisServer } from '../helpers/redis.js';

const ADMIN_KEY = 'distrust-test-admin';
const PROCESSES = { timeout: 120_000 };

let issuer: TestIssuer;
let redis: RedisServer;
let replicas: Replica[] = [];
const env = () => ({
  REPLICA_JWKS: JSON.stringify(issuer.jwks),
  REDIS_SINGLE: `${redis.host}:${redis.port}`,
  EXAMPLE_ADMIN_KEY: ADMIN_KEY,
});

beforeAll(async () => {
  issuer = await createIssuer();
  redis = await startRedis();
  replicas = await Promise.all([startReplica(env()), startReplica(env()), startReplica(env())]);
}, 120_000);

afterAll(async () => {
  await Promise.all(replicas.map((replica) => replica.stop()));
  await redis?.stop();
});

const bases = () => replicas.map((replica) => `http://127.0.0.1:${replica.port}/single`);

async function call(base: string, token: string): Promise<{ status: number; reason: unknown }> {
  const res = await fetch(`${base}/x`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, reason: ((await res.json()) as Record<string, unknown>).reason };
}

async function admin(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}/admin${path}`, {
    method,
    headers: { 'x-admin-key': ADMIN_KEY, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('distrusted keys across 3 replicas sharing one Redis', () => {
  it(
    'a key distrusted on one replica refuses cached tokens on the others within a second, on a new replica, until lifted',
    PROCESSES,
    async () => {
      const [one, two, three] = bases() as [string, string, string];
      const key = { issuer: 'https://as.example.com', kid: issuer.kid };
      const token = await issuer.mint({ capabilities: [{ action: 'api.call' }] });
      for (const base of [one, two, three]) expect((await call(base, token)).status).toBe(200); // cached everywhere
      // No store call per request for the distrust: a cached token without rate limits costs none at all.
      const steady = await clientCommands(redis, () => call(two, token));
      expect([steady.result.status, steady.commands]).toEqual([200, {}]);
      expect((await admin(one, 'POST', '/keys/distrust', { ...key, reason: 'leaked' })).status).toBe(201);
      expect((await call(one, token)).reason).toBe('key_distrusted'); // the distrusting replica: at once
      await Promise.all(
        [two, three].map((base) => until(async () => (await call(base, token)).reason === 'key_distrusted', 1000)),
      );
      expect((await admin(three, 'GET', '/keys')).body.keys).toEqual([
        expect.objectContaining({ ...key, reason: 'leaked' }),
      ]);
      const fresh = await startReplica(env()); // a restart: the distrust is in Redis, read at its first sync
      try {
        expect((await call(`http://127.0.0.1:${fresh.port}/single`, token)).reason).toBe('key_distrusted');
      } finally {
        await fresh.stop();
      }
      expect((await admin(two, 'POST', '/keys/trust', key)).status).toBe(200);
      await Promise.all(
        [one, two, three].map((base) => until(async () => (await call(base, token)).status === 200, 1000)),
      );
    },
  );
});

describe('parent capabilities across replicas', () => {
  it(
    'a child broader than a parent seen only by another replica is refused; the first sight of a token costs one script call',
    PROCESSES,
    async () => {
      const [one, two] = bases() as [string, string, string];
      expect(
        (
          await call(
            one,
            await issuer.mint({ capabilities: [{ action: 'api.call', constraints: { max_requests_per_hour: 9 } }] }),
          )
        ).status,
      ).toBe(200); // loads the scripts
      const jti = randomUUID();
      const parent = await issuer.mint({
        claims: { jti },
        capabilities: [{ action: 'api.read' }, { action: 'api.call', constraints: { max_requests_per_hour: 50 } }],
      });
      const first = await clientCommands(redis, () => call(one, parent));
      expect([first.result.status, first.commands]).toEqual([200, { evalsha: 2 }]); // record + consume
      const delegation = { depth: 1, max_depth: 2, chain: ['orchestrator', 'agent-researcher-01'], parent_jti: jti };
      const broader = await issuer.mint({ capabilities: [{ action: 'api.call' }], sections: { delegation } });
      expect(await call(two, broader)).toEqual({ status: 403, reason: 'delegation_broader_than_parent' });
      const narrower = await issuer.mint({
        capabilities: [{ action: 'api.call', constraints: { max_requests_per_hour: 5 } }],
        sections: { delegation },
      });
      expect((await call(two, narrower)).status).toBe(200);
    },
  );
});
