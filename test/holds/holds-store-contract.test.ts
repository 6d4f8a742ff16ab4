/**
 * One contract for hold and revocation stores, run against the memory implementations and against
 * the Redis ones on a real redis-server, through ioredis 6 and ioredis 5.
 */
import { type Hold } from '@aap-guard/core';
import {
  memoryHolds,
  memoryRevocations,
  newHoldId,
  type HoldBudget,
  type HoldStore,
  type RevocationEvent,
  type RevocationStore,
} from '@aap-guard/core/store';
import { redisHolds, redisRevocations } from '@aap-guard/redis';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IOREDIS_VERSIONS } from '../helpers/ioredis.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';

let server: RedisServer;
/** One client per ioredis major, by its label (`ioredis 6`, `ioredis 5`). */
const clients = new Map<string, Redis>();
const closers: Array<() => Promise<void> | undefined> = [];
beforeAll(async () => {
  server = await startRedis();
  for (const { label, framework } of IOREDIS_VERSIONS) {
    if (framework)
      clients.set(label, new framework.Redis({ host: server.host, port: server.port, maxRetriesPerRequest: 1 }));
  }
});
afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
  for (const redis of clients.values()) redis.disconnect();
  await server?.stop();
});
/** The client of one major; a major that is not installed fails its tests (`pnpm install`). */
const client = (label: string): Redis => {
  const redis = clients.get(label);
  if (!redis) throw new Error(`${label} is not installed (the ioredis5 alias dev dependency): run pnpm install`);
  return redis;
};
const redisRows = <T>(make: (redis: Redis) => T) =>
  IOREDIS_VERSIONS.map(({ label }) => [`redis, ${label}`, () => make(client(label))] as const);

const NOW = 1_800_000_000_000;
const hold = (extra: Partial<Hold> = {}): Hold => ({
  id: newHoldId(extra.agent?.id ?? 'agent-1'),
  status: 'pending',
  issuer: 'https://as-a.example.com',
  agent: { id: 'agent-1', operator: 'org:a' },
  task: { id: 'task-1' },
  jti: 'jti-1',
  action: 'cms.publish',
  method: 'POST',
  path: '/v1/publish?x=1',
  createdAt: NOW,
  expiresAt: NOW + 60_000,
  binding: 'binding-1',
  ...extra,
});
const prefix = () => `c${Math.random().toString(36).slice(2)}:`;
const BUDGET: HoldBudget = { maxPendingPerAgent: 1000, maxPerMinute: 1000 };
const create = (store: HoldStore, h: Hold, budget: HoldBudget = BUDGET) =>
  store.create(h, { retainMs: 60_000, budget });

describe.each([
  ['memory', (): HoldStore => memoryHolds()] as const,
  ...redisRows((redis): HoldStore => redisHolds(redis, { prefix: prefix() })),
])('hold store contract (%s)', (_name, make) => {
  it('round-trips a hold and lists it by filter', async () => {
    const store = make();
    const h = hold({ bodyDigest: 'abc' });
    await create(store, h);
    expect(await store.get(h.id, NOW)).toEqual(h);
    expect(await store.get('unknown-id', NOW)).toBeUndefined();
    expect((await store.list({ status: 'pending', agentId: 'agent-1' }, NOW)).map((x) => x.id)).toEqual([h.id]);
    expect(await store.list({ taskId: 'task-2' }, NOW)).toEqual([]);
  });

  it('keeps the body preview of a hold through approval and use (what the approver saw)', async () => {
    const store = make();
    const preview = {
      contentType: 'application/json',
      bytes: 31,
      text: '{\n  "title": "Q3 <b>report</b>"\n}',
      truncated: false,
    };
    const h = hold({ bodyDigest: 'abc', preview });
    await create(store, h);
    expect((await store.get(h.id, NOW))?.preview).toEqual(preview);
    expect((await store.list({ agentId: 'agent-1' }, NOW))[0]?.preview).toEqual(preview);
    expect(await store.approve(h.id, { by: 'alice', now: NOW })).toMatchObject({ ok: true, hold: { preview } });
    expect(await store.consume(h.id, 'binding-1', NOW)).toMatchObject({ ok: true, hold: { preview } });
  });

  it('keeps the operation of a hold (an MCP tool call: name and arguments preview) through approval and use', async () => {
    const store = make();
    const operation = {
      kind: 'mcp.tools/call',
      name: 'publish',
      arguments: { contentType: 'application/json', bytes: 12, text: '{\n  "id": "d-1"\n}', truncated: false },
    };
    const h = hold({ bodyDigest: 'abc', operation });
    await create(store, h);
    expect((await store.get(h.id, NOW))?.operation).toEqual(operation);
    expect((await store.list({ agentId: 'agent-1' }, NOW))[0]?.operation).toEqual(operation);
    expect(await store.approve(h.id, { by: 'alice', now: NOW })).toMatchObject({ ok: true, hold: { operation } });
    expect(await store.consume(h.id, 'binding-1', NOW)).toMatchObject({ ok: true, hold: { operation } });
  });

  it('decides once: approve, then neither deny nor approve again', async () => {
    const store = make();
    const h = hold();
    await create(store, h);
    expect(await store.approve(h.id, { by: 'alice', now: NOW + 1, note: 'ok' })).toMatchObject({
      ok: true,
      hold: { status: 'approved', approvedBy: 'alice', approvedAt: NOW + 1, note: 'ok' },
    });
    expect(await store.deny(h.id, { by: 'bob', now: NOW + 2 })).toMatchObject({ ok: false, problem: 'approved' });
    expect(await store.approve('nope', { by: 'alice', now: NOW })).toEqual({ ok: false, problem: 'unknown' });
  });

  it('consumes in order: unknown, mismatch, used, denied, expired, pending', async () => {
    const store = make();
    const [a, d, p] = [hold(), hold(), hold()];
    for (const h of [a, d, p]) await create(store, h);
    await store.approve(a.id, { by: 'alice', now: NOW });
    await store.deny(d.id, { by: 'bob', now: NOW });
    expect((await store.consume('nope', 'binding-1', NOW)).ok).toBe(false);
    expect(await store.consume(a.id, 'other', NOW)).toMatchObject({ ok: false, problem: 'mismatch' });
    expect(await store.consume(p.id, 'binding-1', NOW)).toMatchObject({ ok: false, problem: 'pending' });
    expect(await store.consume(d.id, 'binding-1', NOW)).toMatchObject({ ok: false, problem: 'denied' });
    expect(await store.consume(a.id, 'binding-1', NOW + 60_000)).toMatchObject({ ok: false, problem: 'expired' });
    expect(await store.consume(a.id, 'binding-1', NOW + 1)).toMatchObject({
      ok: true,
      hold: { status: 'used', usedAt: NOW + 1 },
    });
    expect(await store.consume(a.id, 'binding-1', NOW + 2)).toMatchObject({ ok: false, problem: 'used' });
  });

  it("caps one agent's pending holds and its creations per minute, and nothing else", async () => {
    const store = make();
    const budget = { maxPendingPerAgent: 3, maxPerMinute: 5 };
    const mine = (at: number) => hold({ createdAt: at, expiresAt: at + 60_000 });
    for (let i = 0; i < 3; i++) expect(await create(store, mine(NOW + i), budget)).toEqual({ ok: true });
    expect(await create(store, mine(NOW + 3), budget)).toEqual({ ok: false, problem: 'pending' });
    expect(await create(store, hold({ agent: { id: 'agent-2', operator: 'org:b' } }), budget)).toEqual({ ok: true }); // another agent's budget
    const [first] = await store.list({ agentId: 'agent-1', status: 'pending' }, NOW + 4);
    await store.deny(first!.id, { by: 'bob', now: NOW + 4 }); // a decision frees a pending slot…
    expect(await create(store, mine(NOW + 5), budget)).toEqual({ ok: true });
    await store.deny((await store.list({ agentId: 'agent-1', status: 'pending' }, NOW + 6))[0]!.id, {
      by: 'bob',
      now: NOW + 6,
    });
    // …but the rate still counts: 5 in this minute
    expect(await create(store, mine(NOW + 7), budget)).toEqual({ ok: true });
    await store.deny((await store.list({ agentId: 'agent-1', status: 'pending' }, NOW + 8))[0]!.id, {
      by: 'bob',
      now: NOW + 8,
    });
    expect(await create(store, mine(NOW + 9), budget)).toMatchObject({
      ok: false,
      problem: 'rate',
      retryAfterMs: 60_000 - 9,
    });
    expect(await create(store, mine(NOW + 60_000), budget)).toEqual({ ok: true }); // a minute later
  });

  it("budgets are per issuer and agent: another issuer's agent of the same id has its own, frees its own", async () => {
    const store = make();
    const budget = { maxPendingPerAgent: 2, maxPerMinute: 3 };
    const of = (issuer: string, at: number) => hold({ issuer, createdAt: at, expiresAt: at + 60_000 });
    const [a, b] = ['https://as-a.example.com', 'https://as-b.example.com'];
    for (const at of [NOW, NOW + 1]) expect(await create(store, of(b, at), budget)).toEqual({ ok: true });
    expect(await create(store, of(b, NOW + 2), budget)).toEqual({ ok: false, problem: 'pending' });
    expect(await create(store, of(a, NOW + 3), budget)).toEqual({ ok: true }); // B's agent-1 spent nothing of A's
    expect(await create(store, of(a, NOW + 4), budget)).toEqual({ ok: true });
    expect(await create(store, of(a, NOW + 5), budget)).toEqual({ ok: false, problem: 'pending' });
    const [oneOfB] = await store.list({ issuer: b, agentId: 'agent-1', status: 'pending' }, NOW + 6);
    await store.deny(oneOfB!.id, { by: 'bob', now: NOW + 6 }); // frees a slot of B's agent-1 only
    expect(await create(store, of(a, NOW + 7), budget)).toEqual({ ok: false, problem: 'pending' });
    expect(await create(store, of(b, NOW + 8), budget)).toEqual({ ok: true });
    const denyOne = async (issuer: string, at: number) => {
      const [pending] = await store.list({ issuer, status: 'pending' }, at);
      await store.deny(pending!.id, { by: 'bob', now: at });
    };
    await denyOne(a, NOW + 9);
    expect(await create(store, of(a, NOW + 10), budget)).toEqual({ ok: true }); // A's third creation this minute
    await denyOne(a, NOW + 11);
    expect(await create(store, of(a, NOW + 12), budget)).toMatchObject({ ok: false, problem: 'rate' });
    await denyOne(b, NOW + 13);
    const rate = { ok: false, problem: 'rate' };
    expect(await create(store, of(b, NOW + 14), budget)).toMatchObject(rate); // B's third was at +8
  });

  it('lists by issuer; by agent id across issuers, each hold naming its issuer', async () => {
    const store = make();
    const [a, b] = ['https://as-a.example.com', 'https://as-b.example.com'];
    const ofA = hold({ issuer: a, agent: { id: 'twin', operator: 'org:a' }, createdAt: NOW });
    const ofB = hold({ issuer: b, agent: { id: 'twin', operator: 'org:b' }, createdAt: NOW + 1 });
    for (const h of [ofA, ofB]) await create(store, h);
    const twins = await store.list({ agentId: 'twin' }, NOW + 2);
    expect(twins.map((h) => [h.issuer, h.id])).toEqual([
      [b, ofB.id],
      [a, ofA.id],
    ]);
    expect((await store.list({ agentId: 'twin', issuer: a }, NOW + 2)).map((h) => h.id)).toEqual([ofA.id]);
    expect((await store.list({ issuer: b }, NOW + 2)).map((h) => h.id)).toEqual([ofB.id]);
    expect(await store.list({ issuer: b, status: 'approved' }, NOW + 2)).toEqual([]);
    expect(await store.get(ofB.id, NOW + 2)).toEqual(ofB);
  });

  it("finds any agent's holds by status, agent and task, whatever the volume of others", async () => {
    const store = make();
    const victim = hold({ agent: { id: 'victim', operator: 'org:v' }, task: { id: 'task-v' } });
    await create(store, victim);
    for (let i = 0; i < 1200; i++)
      await create(store, hold({ agent: { id: `flood-${i % 50}`, operator: 'org:x' }, createdAt: NOW + 1 + i }));
    expect((await store.list({ status: 'pending', agentId: 'victim' }, NOW + 2000)).map((h) => h.id)).toEqual([
      victim.id,
    ]);
    expect((await store.list({ taskId: 'task-v' }, NOW + 2000)).map((h) => h.id)).toEqual([victim.id]);
    expect(await store.list({ status: 'pending', limit: 1000 }, NOW + 2000)).toHaveLength(1000);
  });

  it('lets exactly one of 25 concurrent consumes win', async () => {
    const store = make();
    const h = hold();
    await create(store, h);
    await store.approve(h.id, { by: 'alice', now: NOW });
    const results = await Promise.all(Array.from({ length: 25 }, () => store.consume(h.id, 'binding-1', NOW + 5)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });
});

describe.each([
  ['memory', (): RevocationStore => memoryRevocations({ now: () => NOW })] as const,
  ...redisRows((redis): RevocationStore => redisRevocations(redis, { prefix: prefix() })),
])('revocation store contract (%s)', (_name, make) => {
  it('syncs, fans out additions, keeps the later until, drops expired entries', async () => {
    const store = make();
    closers.push(() => store.close?.());
    const events: RevocationEvent[] = [];
    const synced = new Promise<void>((resolve) =>
      store.subscribe((e) => (events.push(e), e.type === 'synced' && resolve())),
    );
    await synced;
    const entry = { kind: 'task' as const, value: 't-1', at: NOW, until: NOW + 60_000, by: 'ops' };
    await store.add(entry);
    await store.add({ ...entry, until: NOW + 1000 });
    await expect.poll(() => events.filter((e) => e.type === 'added').length).toBe(2);
    expect(await store.snapshot(NOW)).toEqual([entry]);
    expect(await store.snapshot(NOW + 60_000)).toEqual([]);
  });
});
