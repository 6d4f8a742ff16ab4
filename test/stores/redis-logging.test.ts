/**
 * The Redis store's infrastructure events reach the GUARD's logger once per state change, with their
 * cause — never once per request (issue 14 item 1): Redis down at startup used to leave zero bytes on
 * stderr (every ioredis error swallowed) while every request got 503. Also `whenSynced({ timeoutMs })`,
 * which used to hang forever while Redis was down (issue 14 item 4). A real redis-server is stopped
 * and restarted; lines are counted exactly.
 */
import { Redis } from 'ioredis';
import { createGuard, type Guard, type GuardOptions, type Logger } from '@aap-guard/core';
import { redisStore } from '@aap-guard/redis';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { until } from '../helpers/until.js';

interface Line extends Record<string, unknown> {
  readonly level: string;
  readonly msg: string | undefined;
}

let server: RedisServer;
let issuer: TestIssuer;
const clients: Redis[] = [];
const guards: Guard[] = [];

beforeAll(async () => {
  [server, issuer] = await Promise.all([startRedis(), createIssuer()]);
});

afterEach(async () => {
  if (!server.running) await server.restart();
  await Promise.all(guards.splice(0).map((guard) => guard.close()));
  for (const client of clients.splice(0)) client.disconnect();
});

afterAll(async () => {
  await server?.stop();
});

/** A guard on a Redis store with a capturing pino-like logger. The client has no error listener of its own. */
function setup(extra: Partial<GuardOptions> = {}) {
  const lines: Line[] = [];
  const at = (level: string) => (object: Readonly<Record<string, unknown>>, msg?: string) =>
    void lines.push({ ...object, level, msg });
  const logger: Logger = { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
  const redis = new Redis({
    host: server.host,
    port: server.port,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: () => 50,
  });
  clients.push(redis);
  // A generous call timeout: on a loaded machine a slow answer is a genuine (logged) failure, not the outage under
  // test.
  const guard = createGuard({
    issuer: issuer.issuer,
    audience: issuer.audience,
    jwks: issuer.jwks,
    logger,
    store: redisStore(redis, { timeoutMs: 2000 }),
    delegation: { unknownParent: 'allow-audited' },
    ...extra,
  });
  guards.push(guard);
  const call = async (): Promise<string> => {
    const token = await issuer.mint({
      ttl: 3600,
      capabilities: [{ action: 'api.call', constraints: { max_requests_per_minute: 1000 } }],
    });
    const d = await guard.check(
      { method: 'GET', url: 'https://api.example.com/x', headers: { authorization: `Bearer ${token}` } },
      { action: 'api.call' },
    );
    return d.allowed ? '200' : `${d.status} ${d.reason}`;
  };
  const count = (event: string, from = 0) => lines.slice(from).filter((line) => line.event === event).length;
  return { guard, lines, call, count };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Redis store events reach the guard logger once per state change', () => {
  it('Redis down at start: one error line with its cause, 503s, then one recovery line once it is up', async () => {
    await server.kill();
    const { guard, lines, call, count } = setup();
    const requests = await Promise.all(Array.from({ length: 10 }, call));
    expect(new Set(requests)).toEqual(new Set(['503 store_unavailable']));
    await pause(400); // several reconnect attempts of both connections, each an ioredis 'error'
    expect(
      lines.filter((line) => line.level === 'error'),
      JSON.stringify(lines),
    ).toEqual([
      expect.objectContaining({
        event: 'store.down',
        component: 'store',
        cause: expect.stringMatching(/ECONNREFUSED/),
      }),
    ]);
    await server.restart();
    await guard.revocations.whenSynced({ timeoutMs: 5000 });
    expect(await call()).toBe('200');
    expect(
      lines.filter((line) => line.level === 'info'),
      JSON.stringify(lines),
    ).toEqual([
      expect.objectContaining({
        event: 'store.up',
        msg: expect.stringMatching(/resynchronized/),
        failures: expect.any(Number),
      }),
    ]);
    expect(count('store.down')).toBe(1);
  });

  it('Redis killed mid-flight: one error line with its cause, then one recovery line', async () => {
    const { guard, lines, call, count } = setup();
    await guard.revocations.whenSynced({ timeoutMs: 5000 });
    expect(await call()).toBe('200');
    const start = lines.length; // the outage begins here (the guard is synced and its last store call succeeded)
    await server.kill();
    await until(async () => (await call()) === '503 store_unavailable', 5000);
    for (let i = 0; i < 10; i += 1) expect(await call()).toMatch(/^503 /);
    await pause(400);
    expect(lines.slice(start), JSON.stringify(lines)).toEqual([
      expect.objectContaining({ level: 'error', event: 'store.down', cause: expect.any(String) }),
    ]);
    await server.restart();
    await guard.revocations.whenSynced({ timeoutMs: 5000 });
    expect(await call()).toBe('200');
    expect([count('store.down', start), count('store.up', start)], JSON.stringify(lines)).toEqual([1, 1]);
    expect(lines.slice(start)).toHaveLength(2);
  });

  it("fail-open admissions (onStoreError: 'open') are logged once per outage", async () => {
    const { guard, lines, call, count } = setup({ onStoreError: 'open' });
    await guard.revocations.whenSynced({ timeoutMs: 5000 });
    expect(await call()).toBe('200');
    const start = lines.length;
    await server.kill();
    await until(async () => (await call()) === '200' && count('store.fail-open.down', start) === 1, 5000);
    for (let i = 0; i < 10; i += 1) expect(await call()).toBe('200');
    expect(count('store.fail-open.down', start)).toBe(1);
    await server.restart();
    await guard.revocations.whenSynced({ timeoutMs: 5000 });
    for (let i = 0; i < 3; i += 1) expect(await call()).toBe('200');
    const counts = ['store.down', 'store.up', 'store.fail-open.down', 'store.fail-open.up'].map((event) =>
      count(event, start),
    );
    expect(counts, JSON.stringify(lines)).toEqual([1, 1, 1, 1]);
  });
});

describe('whenSynced() no longer hangs while Redis is down', () => {
  it('whenSynced({ timeoutMs }) rejects within its timeout, naming the cause', async () => {
    await server.kill();
    const { guard } = setup({ logger: false });
    const started = performance.now();
    const error = await guard.revocations.whenSynced({ timeoutMs: 300 }).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(performance.now() - started).toBeLessThan(1500); // 300 ms, plus scheduling slack on a loaded machine
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/revocation list is not synchronized after 300 ms: .*ECONNREFUSED/);
    await server.restart();
    await guard.revocations.whenSynced({ timeoutMs: 5000 });
  });

  it('whenSynced() rejects when the guard is closed before it was synchronized', async () => {
    await server.kill();
    const { guard } = setup({ logger: false });
    clients[0]?.on('error', () => undefined); // once the guard is closed, the client's errors are its owner's again
    const waiting = guard.revocations.whenSynced();
    await guard.close();
    await expect(waiting).rejects.toThrow(/closed before the revocation list was synchronized/);
    await expect(guard.revocations.whenSynced({ timeoutMs: 10 })).rejects.toThrow(/closed/);
  });
});
