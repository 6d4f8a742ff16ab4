/**
 * Redis failures: killing Redis mid-run gives 503 `store_unavailable` (with Retry-After) within the
 * store timeout — never a hang, never an unhandled rejection — and requests are admitted again once
 * Redis is back. `onStoreError: 'open'` and `fallbackStore()` are the explicit alternatives.
 */
import { Redis } from 'ioredis';
import { createGuard, fallbackStore, memoryStore, type Guard, type GuardOptions } from '@aap-guard/core';
import { redisStore } from '@aap-guard/redis';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from './helpers/redis.js';

let server: RedisServer;
let issuer: TestIssuer;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
const clients: Redis[] = [];

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  [server, issuer] = await Promise.all([startRedis(), createIssuer()]);
});

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  for (const client of clients) client.disconnect();
  await server?.stop();
});

/** A client as we recommend it: no offline queue, quick reconnects. */
async function client(): Promise<Redis> {
  const redis = new Redis({ host: server.host, port: server.port, enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 100 });
  clients.push(redis);
  redis.on('error', () => undefined); // the store also listens; the test only wants no noise
  await new Promise((resolve) => redis.once('ready', resolve));
  return redis;
}

async function setup(extra: (redis: Redis) => Partial<GuardOptions>): Promise<{ guard: Guard; redis: Redis; call: () => Promise<{ status: number; reason?: string; headers: Record<string, string>; detail: unknown }> }> {
  const redis = await client();
  const guard = createGuard({ issuer: issuer.issuer, audience: issuer.audience, jwks: issuer.jwks, ...extra(redis) });
  const token = await issuer.mint({ ttl: 3600, capabilities: [{ action: 'api.call', constraints: { max_requests_per_minute: 1000 } }] });
  const request = { method: 'GET', url: 'https://api.example.com/x', headers: { authorization: `Bearer ${token}` } };
  const call = async () => {
    const d = await guard.check(request, { action: 'api.call' });
    return { status: d.status, reason: d.reason, headers: { ...d.headers }, detail: d.audit };
  };
  return { guard, redis, call };
}

const ready = (redis: Redis) => (redis.status === 'ready' ? Promise.resolve() : new Promise((resolve) => redis.once('ready', resolve)));

describe('Redis failure', () => {
  it('fails closed with 503 store_unavailable + Retry-After while Redis is down, admits again after restart', async () => {
    const { guard, redis, call } = await setup((r) => ({ store: redisStore(r, { timeoutMs: 300 }) }));
    expect((await call()).status).toBe(200);
    await server.kill();
    const down = await Promise.all(Array.from({ length: 5 }, call));
    for (const d of down) expect(d).toMatchObject({ status: 503, reason: 'store_unavailable', headers: { 'retry-after': expect.stringMatching(/^\d+$/) } });
    await server.restart();
    await ready(redis);
    expect((await call()).status).toBe(200);
    await guard.close();
  });

  it('a hung Redis (no answer at all) gives 503 after the store timeout, not a hang', async () => {
    const { guard, call } = await setup((r) => ({ store: redisStore(r, { timeoutMs: 300 }) }));
    expect((await call()).status).toBe(200);
    server.pause();
    try {
      expect(await call()).toMatchObject({ status: 503, reason: 'store_unavailable', detail: { detail: { fault: expect.stringMatching(/timed out after 300 ms/) } } });
    } finally {
      server.resume();
    }
    expect((await call()).status).toBe(200);
    await guard.close();
  });

  it("onStoreError: 'open' admits while Redis is down and says so in the audit event", async () => {
    const { guard, redis, call } = await setup((r) => ({ store: redisStore(r, { timeoutMs: 300 }), onStoreError: 'open' }));
    await server.kill();
    const open = await call();
    expect(open.status).toBe(200);
    expect(JSON.stringify(open.detail)).toMatch(/onStoreError: open/);
    await server.restart();
    await ready(redis);
    await guard.close();
  });

  it('fallbackStore() counts in memory while Redis is down and returns to Redis when it is back', async () => {
    const switches: string[] = [];
    const { guard, redis, call } = await setup((r) => ({
      store: fallbackStore(redisStore(r, { timeoutMs: 300, prefix: 'fb:' }), memoryStore(), { retryAfterMs: 0, onSwitch: (s) => switches.push(s) }),
    }));
    expect((await call()).status).toBe(200);
    await server.kill();
    expect((await call()).status).toBe(200);
    expect(switches).toEqual(['down']);
    await server.restart(); // an empty Redis: --save '' keeps nothing
    await ready(redis);
    expect((await call()).status).toBe(200);
    expect(switches).toEqual(['down', 'up']);
    expect(await redis.keys('fb:*')).toHaveLength(1);
    await guard.close();
  });

  it('never leaves an unhandled rejection behind', () => {
    expect(unhandled).toEqual([]);
  });
});
