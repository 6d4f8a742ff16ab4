/**
 * Redis failures: killing Redis mid-run gives 503 `store_unavailable` (with Retry-After) within the
 * store timeout — never a hang, never an unhandled rejection — and requests are admitted again once
 * Redis is back. `onStoreError: 'open'` and `fallbackStore()` are the explicit alternatives.
 * Each test leaves Redis running, whatever its outcome, so one failure never cascades into the next.
 */
import { Redis } from 'ioredis';
import { createGuard, fallbackStore, memoryStore, type Guard, type GuardOptions } from '@aap-guard/core';
import { redisStore } from '@aap-guard/redis';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { startProxy } from '../helpers/tcp-proxy.js';

let server: RedisServer;
let issuer: TestIssuer;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
const clients: Redis[] = [];
const guards: Guard[] = [];

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  [server, issuer] = await Promise.all([startRedis(), createIssuer()]);
});

afterEach(async () => {
  server.resume();
  if (!server.running) await server.restart();
  await Promise.all(guards.splice(0).map((guard) => guard.close()));
  for (const client of clients.splice(0)) client.disconnect();
});

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await server?.stop();
});

/** Resolve once `promise` does, or fail the test with `what` after 10 s instead of hanging it. */
function bounded<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within 10 s`)), 10_000)),
  );
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

const ready = (redis: Redis) =>
  bounded(
    redis.status === 'ready' ? Promise.resolve() : new Promise((resolve) => redis.once('ready', resolve)),
    'redis client ready',
  );

/** A client as we recommend it: no offline queue, quick reconnects. */
async function client(): Promise<Redis> {
  const redis = new Redis({
    host: server.host,
    port: server.port,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: () => 100,
  });
  clients.push(redis);
  redis.on('error', () => undefined); // the store also listens; the test only wants no noise
  await ready(redis);
  return redis;
}

async function setup(extra: (redis: Redis) => Partial<GuardOptions>) {
  const redis = await client();
  const guard = createGuard({ issuer: issuer.issuer, audience: issuer.audience, jwks: issuer.jwks, ...extra(redis) });
  guards.push(guard);
  const token = await issuer.mint({
    ttl: 3600,
    capabilities: [{ action: 'api.call', constraints: { max_requests_per_minute: 1000 } }],
  });
  const request = { method: 'GET', url: 'https://api.example.com/x', headers: { authorization: `Bearer ${token}` } };
  const call = async () => {
    const d = await guard.check(request, { action: 'api.call' });
    return { status: d.status, reason: d.reason, headers: { ...d.headers }, detail: d.audit };
  };
  /** Redis is back: the client reconnected and this replica's revocation set is read again. */
  const back = async () => {
    await ready(redis);
    await bounded(guard.revocations.whenSynced(), 'revocations synced');
  };
  await back();
  return { redis, call, back };
}

const unavailable = {
  status: 503,
  reason: 'store_unavailable',
  headers: { 'retry-after': expect.stringMatching(/^\d+$/) },
};

describe('Redis failure', () => {
  it('fails closed with 503 store_unavailable + Retry-After while Redis is down, admits again after restart', async () => {
    const { call, back } = await setup((r) => ({ store: redisStore(r, { timeoutMs: 300 }) }));
    expect((await call()).status).toBe(200);
    await server.kill();
    const down = await Promise.all(Array.from({ length: 5 }, call));
    for (const d of down) expect(d).toMatchObject(unavailable);
    await server.restart();
    await back();
    expect((await call()).status).toBe(200);
  });

  it('a hung Redis (no answer at all) gives 503 after the store timeout, not a hang', async () => {
    const { call } = await setup((r) => ({ store: redisStore(r, { timeoutMs: 300 }) }));
    expect((await call()).status).toBe(200);
    server.pause();
    try {
      expect(await call()).toMatchObject({
        ...unavailable,
        detail: { detail: { fault: expect.stringMatching(/timed out after 300 ms/) } },
      });
    } finally {
      server.resume();
    }
    expect((await call()).status).toBe(200);
  });

  it("onStoreError: 'open' admits while Redis is down and says so in the audit event", async () => {
    const { call } = await setup((r) => ({ store: redisStore(r, { timeoutMs: 300 }), onStoreError: 'open' }));
    await server.kill();
    const open = await call();
    expect(open.status).toBe(200);
    expect(JSON.stringify(open.detail)).toMatch(/onStoreError: open/);
  });

  it('fallbackStore() counts in memory while Redis is down and returns to Redis when it is back', async () => {
    const switches: string[] = [];
    const { redis, call, back } = await setup((r) => ({
      store: fallbackStore(redisStore(r, { timeoutMs: 300, prefix: 'fb:' }), memoryStore(), {
        retryAfterMs: 0,
        onSwitch: (s) => switches.push(s),
      }),
    }));
    expect((await call()).status).toBe(200);
    await server.kill();
    expect((await call()).status).toBe(200);
    expect(switches).toEqual(['down']);
    await server.restart(); // an empty Redis: --save '' keeps nothing
    await back();
    expect((await call()).status).toBe(200);
    expect(switches).toEqual(['down', 'up']);
    expect(await redis.keys('fb:*')).toHaveLength(1);
  });

  it('fallbackStore() keeps admitting delegated tokens while Redis is down: their lineage comes from the fallback', async () => {
    const redis = await client();
    const guard = createGuard({
      issuer: issuer.issuer,
      audience: issuer.audience,
      jwks: issuer.jwks,
      logger: false,
      store: fallbackStore(redisStore(redis, { timeoutMs: 300, prefix: 'fbl:' }), memoryStore(), { retryAfterMs: 0 }),
    });
    guards.push(guard);
    await bounded(guard.revocations.whenSynced(), 'revocations synced');
    const delegation = {
      depth: 1,
      max_depth: 2,
      chain: ['orchestrator', 'agent-researcher-01'],
      parent_jti: 'fb-parent',
    };
    const token = await issuer.mint({
      ttl: 3600,
      claims: { jti: 'fb-child' },
      capabilities: [{ action: 'api.call' }],
      sections: { delegation },
    });
    await server.kill();
    const d = await guard.check(
      { method: 'GET', url: 'https://api.example.com/x', headers: { authorization: `Bearer ${token}` } },
      { action: 'api.call' },
    );
    expect([d.status, d.reason]).toEqual([200, undefined]);
  });

  it('closing a guard while its revocation subscriber reconnects leaves no unhandled rejection', async () => {
    // The flaky "Stream isn't writeable" of this file, made deterministic: the subscriber reconnects, its
    // ready check (INFO) is answered, and the guard closes before the client has read that answer. ioredis
    // then runs its ready handler on an ended stream; its own re-SUBSCRIBE (autoResubscribe) rejected with
    // nobody listening. Through a proxy the test holds the INFO answer until the guard has closed.
    const proxy = await startProxy(server);
    try {
      const redis = new Redis({
        host: proxy.host,
        port: proxy.port,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        retryStrategy: () => 20,
      });
      clients.push(redis);
      redis.on('error', () => undefined);
      await ready(redis);
      const guard = createGuard({
        issuer: issuer.issuer,
        audience: issuer.audience,
        jwks: issuer.jwks,
        logger: false,
        store: redisStore(redis),
      });
      await bounded(guard.revocations.whenSynced(), 'revocations synced');
      const before = unhandled.length;
      const hold = proxy.holdRepliesAfter('$4\r\ninfo\r\n'); // the INFO command itself (RESP), not CLIENT SETINFO
      expect(proxy.drop('subscribe')).toBe(1); // the subscriber's connection breaks; it reconnects through the proxy
      await bounded(hold.held, 'the reconnecting subscriber asked INFO');
      await guard.close();
      hold.release();
      await bounded(hold.closed, 'the subscriber connection closed');
      await new Promise((resolve) => setTimeout(resolve, 50)); // unhandled rejections are reported after a turn
      expect(unhandled.slice(before)).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it('never leaves an unhandled rejection behind', () => {
    expect(unhandled).toEqual([]);
  });
});
