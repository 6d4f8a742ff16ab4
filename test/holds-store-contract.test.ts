/**
 * One contract for hold and revocation stores, run against the memory implementations and against
 * the Redis ones on a real redis-server, through ioredis 6 and ioredis 5.
 */
import { memoryHolds, memoryRevocations, type Hold, type HoldStore, type RevocationEvent, type RevocationStore } from '@aap-guard/core';
import { redisHolds, redisRevocations } from '@aap-guard/redis';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IOREDIS_VERSIONS } from './helpers/ioredis.js';
import { startRedis, type RedisServer } from './helpers/redis.js';

let server: RedisServer;
/** One client per ioredis major, by its label (`ioredis 6`, `ioredis 5`). */
const clients = new Map<string, Redis>();
const closers: Array<() => Promise<void> | undefined> = [];
beforeAll(async () => {
  server = await startRedis();
  for (const { label, framework } of IOREDIS_VERSIONS) {
    if (framework) clients.set(label, new framework.Redis({ host: server.host, port: server.port, maxRetriesPerRequest: 1 }));
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
const redisRows = <T>(make: (redis: Redis) => T) => IOREDIS_VERSIONS.map(({ label }) => [`redis, ${label}`, () => make(client(label))] as const);

const NOW = 1_800_000_000_000;
let n = 0;
const hold = (extra: Partial<Hold> = {}): Hold => ({
  id: `hold-${++n}-${Math.random().toString(36).slice(2)}`.padEnd(32, 'x').slice(0, 32),
  status: 'pending',
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

describe.each([
  ['memory', (): HoldStore => memoryHolds()] as const,
  ...redisRows((redis): HoldStore => redisHolds(redis, { prefix: prefix() })),
])('hold store contract (%s)', (_name, make) => {
  it('round-trips a hold and lists it by filter', async () => {
    const store = make();
    const h = hold({ bodyDigest: 'abc' });
    await store.create(h, 60_000);
    expect(await store.get(h.id, NOW)).toEqual(h);
    expect(await store.get('unknown-id', NOW)).toBeUndefined();
    expect((await store.list({ status: 'pending', agentId: 'agent-1' }, NOW)).map((x) => x.id)).toEqual([h.id]);
    expect(await store.list({ taskId: 'task-2' }, NOW)).toEqual([]);
  });

  it('decides once: approve, then neither deny nor approve again', async () => {
    const store = make();
    const h = hold();
    await store.create(h, 60_000);
    expect(await store.approve(h.id, { by: 'alice', now: NOW + 1, note: 'ok' })).toMatchObject({ ok: true, hold: { status: 'approved', approvedBy: 'alice', approvedAt: NOW + 1, note: 'ok' } });
    expect(await store.deny(h.id, { by: 'bob', now: NOW + 2 })).toMatchObject({ ok: false, problem: 'approved' });
    expect(await store.approve('nope', { by: 'alice', now: NOW })).toEqual({ ok: false, problem: 'unknown' });
  });

  it('consumes in order: unknown, mismatch, used, denied, expired, pending', async () => {
    const store = make();
    const [a, d, p] = [hold(), hold(), hold()];
    for (const h of [a, d, p]) await store.create(h, 60_000);
    await store.approve(a.id, { by: 'alice', now: NOW });
    await store.deny(d.id, { by: 'bob', now: NOW });
    expect((await store.consume('nope', 'binding-1', NOW)).ok).toBe(false);
    expect(await store.consume(a.id, 'other', NOW)).toMatchObject({ ok: false, problem: 'mismatch' });
    expect(await store.consume(p.id, 'binding-1', NOW)).toMatchObject({ ok: false, problem: 'pending' });
    expect(await store.consume(d.id, 'binding-1', NOW)).toMatchObject({ ok: false, problem: 'denied' });
    expect(await store.consume(a.id, 'binding-1', NOW + 60_000)).toMatchObject({ ok: false, problem: 'expired' });
    expect(await store.consume(a.id, 'binding-1', NOW + 1)).toMatchObject({ ok: true, hold: { status: 'used', usedAt: NOW + 1 } });
    expect(await store.consume(a.id, 'binding-1', NOW + 2)).toMatchObject({ ok: false, problem: 'used' });
  });

  it('lets exactly one of 25 concurrent consumes win', async () => {
    const store = make();
    const h = hold();
    await store.create(h, 60_000);
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
    const synced = new Promise<void>((resolve) => store.subscribe((e) => (events.push(e), e.type === 'synced' && resolve())));
    await synced;
    const entry = { kind: 'task' as const, value: 't-1', at: NOW, until: NOW + 60_000, by: 'ops' };
    await store.add(entry);
    await store.add({ ...entry, until: NOW + 1000 });
    await expect.poll(() => events.filter((e) => e.type === 'added').length).toBe(2);
    expect(await store.snapshot(NOW)).toEqual([entry]);
    expect(await store.snapshot(NOW + 60_000)).toEqual([]);
  });
});
