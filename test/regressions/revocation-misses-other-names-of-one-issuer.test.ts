/**
 * Regression (issue 23, leftovers): revocations followed the exact `iss`, while quotas and holds follow the
 * issuer scope. Issuer names that share one `jwks` object are one authorization server (any of its keys
 * signs for every name), but a revocation of a `jti`, task, agent or user under one name did not touch the
 * same id under another name: the server's token re-minted under its second name (or first minted there) went
 * on being admitted, and a delegated token recorded its lineage under the exact `iss`, so a grandchild under
 * one name escaped the revocation of its grandparent under the other. Now revocation entries and lineage
 * follow the issuer scope — within one authorization server a revocation fails closed under every name —
 * and never cross to an authorization server with keys of its own (pinned too). Memory and Redis stores.
 */
import { createServer } from 'node:http';
import { memoryStore, type GuardOptions, type Store } from '@aap-guard/core';
import { aapGuard } from '@aap-guard/express';
import { redisStore } from '@aap-guard/redis';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import express from 'express';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listen, send, type Listening } from '../adapters/kit.js';
import { useRedis } from '../helpers/redis-client.js';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 30);
const ALIAS = 'https://as-a.example.net';
/** One authorization server under two names (`as.issuer` and ALIAS, one jwks object); `other` has keys of its own. */
let as: TestIssuer;
let other: TestIssuer;
const redis = useRedis();
const running: Listening[] = [];

beforeAll(async () => {
  [as, other] = await Promise.all([
    createIssuer({ issuer: 'https://as-a.example.com', now: () => NOW }),
    createIssuer({ issuer: 'https://as-b.example.com', now: () => NOW }),
  ]);
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.close()));
});

const stores: Record<string, () => Store> = {
  memory: () => memoryStore({ now: () => NOW }),
  redis: () => redisStore(redis.redis, { prefix: redis.prefix('revocation-scope') }),
};

/** An Express API trusting `as` under two names and `other`; `call(token)` GETs /v1/act. */
async function api(store: Store) {
  const issuer = [as.issuer, ALIAS, { issuer: other.issuer, jwks: other.jwks }];
  const options: GuardOptions = { issuer, audience: as.audience, jwks: as.jwks, now: () => NOW, store, logger: false };
  const aap = aapGuard(options);
  const app = express();
  app.use(aap);
  app.get('/v1/act', aap.require('api.act'), (_req, res) => void res.json({ done: true }));
  const listening = await listen(createServer(app), aap.guard);
  running.push(listening);
  await aap.guard.revocations.whenSynced();
  const call = async (token: string) => {
    const sent = await send(listening.url, { path: '/v1/act', headers: { authorization: `Bearer ${token}` } });
    return sent.status === 200 ? 'allowed' : `${sent.status} ${sent.json?.reason}`;
  };
  return { guard: aap.guard, call };
}

const REVOKED = '401 token_revoked';
const capabilities = [{ action: 'api.act' }];
type Mint = Parameters<TestIssuer['mint']>[0];
/** A token of `as` under its second name. */
const underAlias = (options: Mint) => as.mint({ ...options, claims: { ...options?.claims, iss: ALIAS } });
const delegated = (jti: string, parent: string, depth: number) => ({
  capabilities,
  claims: { jti },
  sections: {
    delegation: {
      depth,
      max_depth: 3,
      chain: ['agent-0', 'agent-1', 'agent-2'].slice(0, depth + 1),
      parent_jti: parent,
    },
  },
});

describe.each(Object.keys(stores))('revocation by issuer scope over HTTP (%s store)', (storeName) => {
  it.each([
    ['jti', { jti: 'one-token' }, { claims: { jti: 'one-token' } }],
    ['taskId', { taskId: 'task-9' }, { taskId: 'task-9' }],
    ['agentId', { agentId: 'agent-9' }, { agentId: 'agent-9' }],
    ['sub', { sub: 'user-9' }, { claims: { sub: 'user-9' } }],
  ] as const)(
    'a revocation by %s under one name of an authorization server holds under its other name',
    async (_key, key, mint) => {
      const { guard, call } = await api(stores[storeName]!());
      const [first, second] = await Promise.all([
        as.mint({ ...mint, capabilities }),
        underAlias({ ...mint, capabilities }),
      ]);
      expect([await call(first), await call(second)]).toEqual(['allowed', 'allowed']);
      await guard.revoke({ ...key, issuer: as.issuer });
      expect([await call(first), await call(second)]).toEqual([REVOKED, REVOKED]);
    },
  );

  it('a revocation under the second name holds under the first too', async () => {
    const { guard, call } = await api(stores[storeName]!());
    const token = await as.mint({ taskId: 'task-8', capabilities });
    await guard.revoke({ taskId: 'task-8', issuer: ALIAS });
    expect(await call(token)).toBe(REVOKED);
  });

  it('never crosses to an authorization server with keys of its own', async () => {
    const { guard, call } = await api(stores[storeName]!());
    const mine = await other.mint({ taskId: 'task-7', agentId: 'agent-7', claims: { jti: 'jti-7' }, capabilities });
    await guard.revoke({ taskId: 'task-7', issuer: as.issuer });
    await guard.revoke({ agentId: 'agent-7', issuer: ALIAS });
    await guard.revoke({ jti: 'jti-7', issuer: [as.issuer, ALIAS] });
    expect(await call(mine)).toBe('allowed');
  });

  it('a grandchild under one name is revoked with its grandparent under the other (lineage follows the scope)', async () => {
    const { guard, call } = await api(stores[storeName]!());
    const root = await as.mint({ claims: { jti: 'root-1' }, capabilities });
    const child = await underAlias(delegated('child-1', 'root-1', 1));
    const grandchild = await as.mint(delegated('grandchild-1', 'child-1', 2));
    expect([await call(root), await call(child), await call(grandchild)]).toEqual(['allowed', 'allowed', 'allowed']);
    await guard.revoke({ jti: 'root-1', issuer: as.issuer });
    expect([await call(root), await call(child), await call(grandchild)]).toEqual([REVOKED, REVOKED, REVOKED]);
  });
});
