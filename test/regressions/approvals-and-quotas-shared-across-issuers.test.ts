/**
 * Regression (issue 23, defect 9): approvals and rate limits were not scoped by issuer. A guard trusting
 * two authorization servers keyed quotas by `jti` (or agent, task, or a custom key) alone, and bound a hold
 * to the token's `jti` (or its agent and task under `match: 'agent-task'`) alone: a token from issuer B
 * with the same `jti` spent A's quota, and B's retry with A's hold id consumed the approval a human gave
 * to A's agent. Now every rate-limit key and every hold binding names the issuer, on every store. Issuers
 * that share one `jwks` object are one authorization server under several names: they share (pinned last).
 */
import { createServer } from 'node:http';
import { memoryStore, type GuardOptions, type Store } from '@aap-guard/core';
import { aapGuard } from '@aap-guard/express';
import { redisStore } from '@aap-guard/redis';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import express from 'express';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listen, send, type Listening } from '../adapters/kit.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 30);
let a: TestIssuer;
let b: TestIssuer;
let server: RedisServer;
let redis: Redis;
let prefix = 0;
let running: Listening | undefined;

beforeAll(async () => {
  [a, b, server] = await Promise.all([
    createIssuer({ issuer: 'https://as-a.example.com', now: () => NOW }),
    createIssuer({ issuer: 'https://as-b.example.com', now: () => NOW }),
    startRedis(),
  ]);
  redis = new Redis({ host: server.host, port: server.port, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  await new Promise((resolve) => redis.once('ready', resolve));
});
afterEach(() => running?.close());
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

const stores: Record<string, () => Store> = {
  memory: () => memoryStore({ now: () => NOW }),
  redis: () => redisStore(redis, { prefix: `issuers${(prefix += 1)}:` }),
};

/** An Express API trusting A and B (each with its own keys); `call(token, hold?)` GETs /v1/act. */
async function api(store: Store, options: Partial<GuardOptions> = {}) {
  const issuer = [
    { issuer: a.issuer, jwks: a.jwks },
    { issuer: b.issuer, jwks: b.jwks },
  ];
  const aap = aapGuard({ issuer, audience: a.audience, now: () => NOW, store, logger: false, ...options });
  const app = express();
  app.use(aap);
  app.get('/v1/act', aap.require('api.act'), (_req, res) => void res.json({ done: true }));
  running = await listen(createServer(app), aap.guard);
  await aap.guard.revocations.whenSynced();
  const call = async (token: string, hold?: string) => {
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      ...(hold ? { 'aap-hold-id': hold } : {}),
    };
    const sent = await send(running!.url, { path: '/v1/act', headers });
    return {
      status: sent.status,
      reason: sent.json?.reason as string | undefined,
      hold: sent.json?.hold_id as string | undefined,
    };
  };
  return { guard: aap.guard, call };
}

const limited = [{ action: 'api.act', constraints: { max_requests_per_minute: 2 } }];
const held = {
  capabilities: [{ action: 'api.act' }],
  sections: { oversight: { requires_human_approval_for: ['api.act'] } },
};

describe.each(Object.keys(stores))('issuer scoping over HTTP (%s store)', (storeName) => {
  it.each([
    ['jti', { claims: { jti: 'same-jti' } }, { claims: { jti: 'same-jti' } }],
    ['agent', { agentId: 'agent-7' }, { agentId: 'agent-7' }],
    ['task', { agentId: 'agent-7', taskId: 'task-7' }, { agentId: 'agent-7', taskId: 'task-7' }],
  ] as const)("B's token never spends A's quota (rateLimit.key: '%s')", async (key, mintA, mintB) => {
    const { call } = await api(stores[storeName]!(), { rateLimit: { key } });
    const tokenA = await a.mint({ ...mintA, capabilities: limited });
    const tokenB = await b.mint({ ...mintB, capabilities: limited });
    expect([(await call(tokenA)).status, (await call(tokenA)).status, (await call(tokenA)).status]).toEqual([
      200, 200, 429,
    ]);
    expect([(await call(tokenB)).status, (await call(tokenB)).status, (await call(tokenB)).status]).toEqual([
      200, 200, 429,
    ]);
  });

  it('a custom rateLimit.key is scoped by issuer too, and receives the issuer', async () => {
    const seen = new Set<string>();
    const key = (claims: { agent: { operator: string } }, scope?: { issuer: string }) => (
      scope && seen.add(scope.issuer),
      claims.agent.operator
    );
    const { call } = await api(stores[storeName]!(), { rateLimit: { key } });
    const tokenA = await a.mint({ capabilities: limited });
    const tokenB = await b.mint({ capabilities: limited });
    expect([(await call(tokenA)).status, (await call(tokenA)).status, (await call(tokenA)).status]).toEqual([
      200, 200, 429,
    ]);
    expect((await call(tokenB)).status).toBe(200);
    expect([...seen].sort()).toEqual([a.issuer, b.issuer]);
  });

  it.each([
    ['token', { claims: { jti: 'held-jti' } }, { claims: { jti: 'held-jti' } }],
    ['agent-task', { agentId: 'agent-7', taskId: 'task-7' }, { agentId: 'agent-7', taskId: 'task-7' }],
  ] as const)(
    "B's token never consumes an approval given to A's agent (oversight.match: '%s')",
    async (match, mintA, mintB) => {
      const { guard, call } = await api(stores[storeName]!(), { oversight: { match } });
      const tokenA = await a.mint({ ...mintA, ...held });
      const tokenB = await b.mint({ ...mintB, ...held });
      const first = await call(tokenA);
      expect([first.status, first.reason]).toEqual([403, 'approval_required']);
      await guard.holds.approve(first.hold!, { by: 'alice' });
      expect(await call(tokenB, first.hold)).toMatchObject({ status: 403, reason: 'hold_mismatch' });
      expect((await call(tokenA, first.hold)).status).toBe(200); // the approval is still A's to use
    },
  );

  it('issuers sharing one jwks object (one authorization server under several names) share quotas and approvals', async () => {
    const shared = await createIssuer({ issuer: 'https://as-a.example.com', now: () => NOW });
    const alias = { ...shared, issuer: 'https://as-a.example.net' };
    const mintAlias = (options: Parameters<TestIssuer['mint']>[0]) =>
      shared.mint({ ...options, claims: { ...options?.claims, iss: alias.issuer } });
    const { guard, call } = await api(stores[storeName]!(), {
      issuer: [shared.issuer, alias.issuer],
      jwks: shared.jwks,
    });
    const tokenA = await shared.mint({ claims: { jti: 'one-as' }, capabilities: limited });
    const tokenAlias = await mintAlias({ claims: { jti: 'one-as' }, capabilities: limited });
    expect([(await call(tokenA)).status, (await call(tokenAlias)).status, (await call(tokenA)).status]).toEqual([
      200, 200, 429,
    ]);
    const heldA = await shared.mint({ claims: { jti: 'one-as-held' }, ...held });
    const heldAlias = await mintAlias({ claims: { jti: 'one-as-held' }, ...held });
    const hold = (await call(heldA)).hold!;
    await guard.holds.approve(hold, { by: 'alice' });
    expect((await call(heldAlias, hold)).status).toBe(200);
  });
});
