/**
 * Regression (issue 23, leftovers): the per-agent hold budgets were not scoped by issuer. The pending holds
 * of an agent (`oversight.maxPendingPerAgent`) and its hold creations per minute (`oversight.maxHoldsPerMinute`)
 * were counted by `agent.id` alone, in memory and in Redis (the `pending` and `created` keys): an agent of
 * issuer B that calls itself like an agent of issuer A spent A's budget, and A's agent got 429
 * `hold_quota_exceeded` without having held anything — a denial of service across authorization servers. A
 * hold did not say whose agent it held either, so an approver listing `agentId=agent-7` saw two agents' holds
 * as one agent's. Now a hold records its issuer (the issuer scope's name), budgets are counted per issuer
 * scope and agent, and the admin API filters by issuer. Issuers sharing one `jwks` object are one
 * authorization server: they share a budget (pinned last).
 */
import { createServer } from 'node:http';
import { memoryStore, type Guard, type GuardOptions, type Hold, type Store } from '@aap-guard/core';
import { aapAdmin } from '@aap-guard/admin/express';
import { aapGuard } from '@aap-guard/express';
import { redisStore } from '@aap-guard/redis';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import express from 'express';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listen, send, type Listening } from '../adapters/kit.js';
import { useRedis } from '../helpers/redis-client.js';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 30);
let a: TestIssuer;
let b: TestIssuer;
const redis = useRedis();
const running: Listening[] = [];

beforeAll(async () => {
  [a, b] = await Promise.all([
    createIssuer({ issuer: 'https://as-a.example.com', now: () => NOW }),
    createIssuer({ issuer: 'https://as-b.example.com', now: () => NOW }),
  ]);
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.close()));
});

const stores: Record<string, () => Store> = {
  memory: () => memoryStore({ now: () => NOW }),
  redis: () => redisStore(redis.redis, { prefix: redis.prefix('hold-budgets') }),
};

const held = {
  agentId: 'agent-7',
  capabilities: [{ action: 'cms.publish' }],
  sections: { oversight: { requires_human_approval_for: ['cms.publish'] } },
};

/** An Express API trusting A and B (each with its own keys) and its admin API; `publish(token)` POSTs /v1/publish. */
async function api(store: Store, options: Partial<GuardOptions>) {
  const issuer = [
    { issuer: a.issuer, jwks: a.jwks },
    { issuer: b.issuer, jwks: b.jwks },
  ];
  const aap = aapGuard({ issuer, audience: a.audience, now: () => NOW, store, logger: false, ...options });
  const app = express();
  app.use('/aap-admin', aapAdmin({ guard: aap.guard, authorize: () => true }));
  app.use(aap);
  app.post('/v1/publish', aap.require('cms.publish'), (_req, res) => void res.json({ done: true }));
  const listening = await listen(createServer(app), aap.guard);
  running.push(listening);
  await aap.guard.revocations.whenSynced();
  const publish = async (token: string) => {
    const sent = await send(listening.url, {
      method: 'POST',
      path: '/v1/publish',
      headers: { authorization: `Bearer ${token}` },
    });
    return [sent.status, sent.json?.reason] as const;
  };
  const list = async (query: string) => {
    const sent = await send(listening.url, { path: `/aap-admin/holds?${query}` });
    return (sent.json as { holds: Hold[] }).holds;
  };
  return { guard: aap.guard as Guard, publish, list };
}

const HELD = [403, 'approval_required'] as const;
const SPENT = [429, 'hold_quota_exceeded'] as const;

describe.each(Object.keys(stores))('hold budgets per issuer over HTTP (%s store)', (storeName) => {
  it("B's agent with the same agent id never spends A's agent's pending holds (maxPendingPerAgent)", async () => {
    const { publish } = await api(stores[storeName]!(), {
      oversight: { maxPendingPerAgent: 2, maxHoldsPerMinute: 100 },
    });
    const [tokenA, tokenB] = await Promise.all([a.mint(held), b.mint(held)]);
    expect([await publish(tokenB), await publish(tokenB), await publish(tokenB)]).toEqual([HELD, HELD, SPENT]);
    expect([await publish(tokenA), await publish(tokenA), await publish(tokenA)]).toEqual([HELD, HELD, SPENT]);
  });

  it("B's agent with the same agent id never spends A's agent's hold creations per minute (maxHoldsPerMinute)", async () => {
    const { publish } = await api(stores[storeName]!(), {
      oversight: { maxPendingPerAgent: 100, maxHoldsPerMinute: 2 },
    });
    const [tokenA, tokenB] = await Promise.all([a.mint(held), b.mint(held)]);
    expect([await publish(tokenB), await publish(tokenB), await publish(tokenB)]).toEqual([HELD, HELD, SPENT]);
    expect([await publish(tokenA), await publish(tokenA), await publish(tokenA)]).toEqual([HELD, HELD, SPENT]);
  });

  it("a hold says whose agent it holds; the admin API lists one issuer's agent apart from another's", async () => {
    const { guard, publish, list } = await api(stores[storeName]!(), {});
    const [tokenA, tokenB] = await Promise.all([a.mint(held), b.mint(held)]);
    await publish(tokenA);
    await publish(tokenB);
    const both = await list('agentId=agent-7');
    expect(both.map((hold) => hold.issuer).sort()).toEqual([a.issuer, b.issuer]);
    const onlyA = await list(`agentId=agent-7&issuer=${encodeURIComponent(a.issuer)}`);
    expect(onlyA.map((hold) => [hold.issuer, hold.agent.id])).toEqual([[a.issuer, 'agent-7']]);
    expect((await list(`issuer=${encodeURIComponent(b.issuer)}`)).map((hold) => hold.issuer)).toEqual([b.issuer]);
    expect(await guard.holds.list({ issuer: 'https://untrusted.example' })).toEqual([]);
  });

  it('issuers sharing one jwks object (one authorization server under several names) share one budget', async () => {
    const shared = await createIssuer({ issuer: 'https://as-a.example.com', now: () => NOW });
    const alias = 'https://as-a.example.net';
    const { publish, list } = await api(stores[storeName]!(), {
      issuer: [shared.issuer, alias],
      jwks: shared.jwks,
      oversight: { maxPendingPerAgent: 2, maxHoldsPerMinute: 100 },
    });
    const tokenA = await shared.mint(held);
    const tokenAlias = await shared.mint({ ...held, claims: { iss: alias } });
    expect([await publish(tokenA), await publish(tokenAlias), await publish(tokenA)]).toEqual([HELD, HELD, SPENT]);
    const listed = await list(`issuer=${encodeURIComponent(alias)}`);
    expect(listed.map((hold) => hold.issuer)).toEqual([shared.issuer, shared.issuer]); // named after the first listed
  });
});
