/**
 * Step 8 through a hand-built context (the pipeline's earlier steps set `claims` and `capability`);
 * the end-to-end versions through `guard.check()` live in test/vectors/vectors-rate-limit.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { memoryStore, type AapClaims, type Capability, type GuardOptions, type Store } from '@aap-guard/core';
import { compileRoute } from '../../src/concerns/route/compile-route.js';
import { consumeProofQuotaHold } from '../../src/checks/consume-proof-quota-hold.js';
import type { CheckContext } from '../../src/checks/context.js';
import { resolveOptions } from '../../src/options/resolve.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const claims = (jti: string, capabilities: Capability[]): AapClaims => ({
  iss: 'https://as.example.com',
  aud: 'https://api.example.com',
  exp: T0 / 1000 + 86_400,
  jti,
  agent: { id: 'agent-1', type: 'llm-autonomous', operator: 'org:test' },
  task: { id: 'task-1', purpose: 'test' },
  capabilities,
  extra: {},
});

function harness(options: Partial<GuardOptions> = {}, store: Store = memoryStore()) {
  let now = T0;
  const resolved = resolveOptions({
    issuer: 'https://as.example.com',
    audience: 'https://api.example.com',
    jwks: { keys: [] },
    store,
    now: () => now,
    ...options,
  });
  const route = compileRoute({ action: 'api.call' });
  const run = async (
    token: AapClaims,
    at: number,
    proof?: CheckContext['proof'],
    scope?: { capability: number; rateLimitScope: string },
  ) => {
    now = at;
    const ctx: CheckContext = {
      request: { method: 'GET', url: 'https://api.example.com/x', headers: {} },
      method: 'GET',
      route,
      settings: resolved.settings,
      runtime: resolved.runtime,
      now: resolved.runtime.now(),
      headers: {},
      detail: {},
      claims: token,
      capability: token.capabilities[scope?.capability ?? 0],
      proof,
      ...(scope ? { rateLimitScope: scope.rateLimitScope } : {}),
    };
    return { deny: await consumeProofQuotaHold(ctx), ctx };
  };
  return { run };
}

const perMinute = (n: number) => [{ action: 'api.call', constraints: { max_requests_per_minute: n } }];

describe('consumeProofQuotaHold: sliding vs fixed', () => {
  const burst = async (mode: 'sliding' | 'fixed') => {
    const { run } = harness({ rateLimit: { mode } });
    const token = claims(`jti-${mode}`, perMinute(5));
    const end = T0 + MINUTE - 5000; // 12:00:55, 5 requests
    const start = T0 + MINUTE; //       12:01:00, 5 more
    const outcomes = [];
    for (let i = 0; i < 5; i += 1) outcomes.push((await run(token, end + i * 1000)).deny?.reason ?? 'ok');
    for (let i = 0; i < 5; i += 1) outcomes.push((await run(token, start + i * 1000)).deny?.reason ?? 'ok');
    return outcomes;
  };

  it('sliding: N at the end of a minute and N at the start of the next are NOT all admitted', async () => {
    expect(await burst('sliding')).toEqual([...Array(5).fill('ok'), ...Array(5).fill('rate_limited')]);
  });

  it('fixed: the same 2N are all admitted (clock-aligned buckets)', async () => {
    expect(await burst('fixed')).toEqual(Array(10).fill('ok'));
  });
});

describe('consumeProofQuotaHold: responses', () => {
  it('429 carries an exact Retry-After and RateLimit fields; allowed responses carry them too', async () => {
    const { run } = harness();
    const token = claims('jti-h', perMinute(2));
    const first = await run(token, T0);
    expect(first.deny).toBeUndefined();
    // T0's request counts until its 1 s bucket leaves the sliding minute: T0 + 61 s
    expect(first.ctx.headers).toEqual({ 'ratelimit-policy': '"minute";q=2;w=60', ratelimit: '"minute";r=1;t=61' });
    await run(token, T0 + 10_000);
    const limited = await run(token, T0 + 17_500);
    expect(limited.deny).toMatchObject({
      reason: 'rate_limited',
      headers: { 'retry-after': '44', 'ratelimit-policy': '"minute";q=2;w=60', ratelimit: '"minute";r=0;t=44' },
      detail: { constraint: 'max_requests_per_minute', limit: 2, mode: 'sliding', retryAfterMs: 43_500 },
    });
  });

  it('headersOnAllow: false keeps allowed responses clean', async () => {
    const { run } = harness({ rateLimit: { headersOnAllow: false } });
    expect((await run(claims('jti-q', perMinute(2)), T0)).ctx.headers).toEqual({});
  });

  it('names several windows and any max_<noun>_per_<unit>; all or nothing; the day is fixed by default', async () => {
    const { run } = harness();
    const token = claims('jti-n', [
      { action: 'api.call', constraints: { max_requests_per_minute: 5, max_drafts_per_day: 2 } },
    ]);
    const first = await run(token, T0);
    expect(first.ctx.headers['ratelimit-policy']).toBe('"minute";q=5;w=60, "drafts_per_day";q=2;w=86400');
    await run(token, T0 + 1);
    const third = await run(token, T0 + 2);
    expect(third.deny).toMatchObject({
      reason: 'rate_limited',
      detail: { constraint: 'max_drafts_per_day', mode: 'fixed' },
    });
    expect(third.deny?.headers?.['retry-after']).toBe(String(12 * 3600)); // next UTC midnight
    expect(third.deny?.headers?.ratelimit).toBe('"minute";r=3;t=61, "drafts_per_day";r=0;t=43200');
  });

  it.each([0, -1, 1.5, '5', 2 ** 53, null])(
    'a bad limit (%s) denies constraint_violation, never crashes',
    async (value) => {
      const { run } = harness();
      const token = claims('jti-bad', [
        { action: 'api.call', constraints: { max_requests_per_hour: value as number } },
      ]);
      expect((await run(token, T0)).deny).toMatchObject({
        reason: 'constraint_violation',
        detail: { constraint: 'max_requests_per_hour' },
      });
    },
  );

  it('keys by jti (default): another token of the same agent has its own budget; by agent: shared', async () => {
    for (const [key, expected] of [
      ['jti', undefined],
      ['agent', 'rate_limited'],
    ] as const) {
      const { run } = harness({ rateLimit: { key } });
      await run(claims(`a-${key}`, perMinute(1)), T0);
      expect((await run(claims(`b-${key}`, perMinute(1)), T0 + 1)).deny?.reason).toBe(expected);
    }
  });

  it('a second capability for the same action counts on its own counters (rateLimitScope)', async () => {
    const { run } = harness();
    const token = claims('jti-s', [...perMinute(1), ...perMinute(1)]);
    expect((await run(token, T0)).deny).toBeUndefined();
    expect((await run(token, T0 + 1)).deny?.reason).toBe('rate_limited');
    expect((await run(token, T0 + 2, undefined, { capability: 1, rateLimitScope: 'api.call#1' })).deny).toBeUndefined();
  });

  it('a DPoP proof jti is consumed in the same call; a replay is dpop_replay', async () => {
    const { run } = harness();
    const token = claims('jti-d', perMinute(5));
    const proof = { jti: 'proof-1', jkt: 'thumb', iat: T0 };
    expect((await run(token, T0, proof)).deny).toBeUndefined();
    expect((await run(token, T0 + 1, proof)).deny?.reason).toBe('dpop_replay');
  });
});

describe('consumeProofQuotaHold: store faults', () => {
  const broken: Store = { consume: () => Promise.reject(new Error('connection lost')) };

  it('fails closed: store_unavailable (503) by default', async () => {
    const { run } = harness({}, broken);
    await expect(run(claims('jti-f', perMinute(1)), T0)).rejects.toMatchObject({
      name: 'InfrastructureError',
      reason: 'store_unavailable',
    });
  });

  it("onStoreError: 'open' admits and says so in the audit detail", async () => {
    const { run } = harness({ onStoreError: 'open' }, broken);
    const { deny, ctx } = await run(claims('jti-o', perMinute(1)), T0);
    expect(deny).toBeUndefined();
    expect(ctx.detail.store).toMatch(/admitted/);
  });
});
