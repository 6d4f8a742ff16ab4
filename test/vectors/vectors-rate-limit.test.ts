/**
 * Spec vector constraint-violations/01-rate-limit-exceeded.json, through `guard.check()` with real signed
 * tokens and an injected clock. The "setup" history is created by real admitted requests at the given
 * times (never by writing store internals).
 *
 * Re-basing: the vector's token expires at 1735689600 while its last scenario is at 1735690800; token
 * lifetime is not under test here, so `iat`/`exp` are re-based to cover every scenario (as vectors.test.ts does).
 * The vector's `current_hour_bucket` numbers (481860) do not match its timestamps (1735687200 / 3600 =
 * 482135); we follow the timestamps.
 *
 * `Retry-After` is the exact wait of each mode: a fixed window's bucket end; a sliding window's is when the
 * oldest counted request's bucket (1/60 of the window) leaves it — one bucket at most after an exact log
 * (11 s instead of 10 for the minute, 2460 s instead of 2400 for the hour). Every mode passes every scenario.
 */
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { createGuard, memoryStore, type GuardOptions, type Store } from '@aap-guard/core';
import { redisStore } from '@aap-guard/redis';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../helpers/redis.js';

interface Scenario {
  readonly name: string;
  readonly setup: Record<string, unknown>;
  readonly request: { readonly action: string; readonly method: string; readonly timestamp: number };
  readonly expected_result: 'AUTHORIZED' | 'FORBIDDEN';
  readonly error_code?: string;
  readonly http_status?: number;
  readonly error_description_contains?: string;
  readonly retry_after_seconds?: number;
}

const vector = JSON.parse(
  readFileSync(new URL('./spec-vectors/constraint-violations/01-rate-limit-exceeded.json', import.meta.url), 'utf8'),
) as { token_payload: Record<string, unknown>; test_scenarios: Scenario[] };

const HOUR_START = 1_735_686_000; // 2024-12-31T23:00:00Z, the hour of the vector's "current" requests

/** The history a scenario's setup describes, as request times in seconds. */
function history(scenario: Scenario): number[] {
  const setup = scenario.setup;
  const times = (setup.request_timestamps_last_60s ?? setup.request_timestamps) as number[] | undefined;
  if (times) return times;
  // N earlier requests in the hour bucket of 23:00 — every 20 s from 23:00:00, 3 a minute (under 5/min)
  const count = (setup.previous_requests_this_hour as number | undefined) ?? 0;
  return Array.from({ length: count }, (_, i) => HOUR_START + i * 20);
}

let server: RedisServer;
let redis: Redis;
let issuer: TestIssuer;
let prefix = 0;

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis({ host: server.host, port: server.port, enableOfflineQueue: false });
  await new Promise((resolve) => redis.once('ready', resolve));
  issuer = await createIssuer();
});

afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

const stores: Record<string, () => Store> = {
  memory: () => memoryStore(),
  redis: () => redisStore(redis, { prefix: `vectors${(prefix += 1)}:` }),
};
type Mode = NonNullable<GuardOptions['rateLimit']>['mode'];
const modes: Record<string, { mode: Mode; wait: { minute: number; hour: number } }> = {
  'default: the spec table (minute sliding, hour fixed)': { mode: undefined, wait: { minute: 11, hour: 2400 } },
  sliding: { mode: 'sliding', wait: { minute: 11, hour: 2460 } },
  fixed: { mode: 'fixed', wait: { minute: 10, hour: 2400 } },
};

describe.each(Object.keys(stores))('vector 01-rate-limit-exceeded (%s store)', (storeName) => {
  describe.each(Object.keys(modes))('mode: %s', (modeName) => {
    it.each(vector.test_scenarios.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
      let clock = 0;
      const guard = createGuard({
        issuer: issuer.issuer,
        audience: issuer.audience,
        jwks: issuer.jwks,
        now: () => clock,
        store: stores[storeName]!(),
        rateLimit: { mode: modes[modeName]!.mode },
      });
      await guard.revocations.whenSynced(); // the Redis store's revocation set is read before serving
      const payload = vector.token_payload;
      const token = await issuer.mint({
        claims: { ...payload, iat: HOUR_START - 3600, exp: HOUR_START + 4 * 3600 },
      });
      const request = {
        method: scenario.request.method,
        url: 'https://api.example.com/v1/call',
        headers: { authorization: `Bearer ${token}` },
      };
      const route = { action: scenario.request.action };
      for (const at of history(scenario)) {
        clock = at * 1000;
        expect((await guard.check(request, route)).status, `setup request at ${at}`).toBe(200);
      }
      clock = scenario.request.timestamp * 1000;
      const decision = await guard.check(request, route);
      await guard.close();
      if (scenario.expected_result === 'AUTHORIZED') {
        expect(decision).toMatchObject({ allowed: true, status: 200 });
        return;
      }
      expect(decision).toMatchObject({
        allowed: false,
        status: scenario.http_status,
        error: scenario.error_code,
        reason: 'rate_limited',
      });
      expect(decision.body?.error_description.toLowerCase()).toContain(
        scenario.error_description_contains ?? 'rate limit',
      );
      const retryAfter = Number(decision.headers['retry-after']);
      const { wait } = modes[modeName]!;
      if (scenario.retry_after_seconds !== undefined) {
        // The vector gives the window length (3600) as an upper bound; we send the exact wait: the 51st
        // request at 23:20 is admitted again at 00:00 (fixed bucket end), or sliding when the bucket of the
        // first of the 50 (23:00) leaves the hour, at 00:01.
        expect(retryAfter).toBeLessThanOrEqual(scenario.retry_after_seconds);
        expect(retryAfter).toBe(wait.hour);
      } else {
        // the 23:00:00 request's bucket leaves the minute at 23:01:01 (sliding), or its minute ends at 23:01:00 (fixed)
        expect(retryAfter).toBe(wait.minute);
      }
      expect(decision.headers['ratelimit-policy']).toBe('"hour";q=50;w=3600, "minute";q=5;w=60');
    });
  });
});
