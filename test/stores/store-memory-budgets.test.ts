/**
 * The memory store's budgets, through `createGuard()` / `check()` with real tokens and real DPoP proofs
 * (issue 12 item 2). Replay markers and rate-limit counters used to share one LRU, so a flood of DPoP
 * proofs to an unlimited route pushed an agent's live daily counter out and reset its quota. Now each has
 * its own bounded budget, a live entry is never dropped, and a full budget refuses (503 `store_full`,
 * with Retry-After) until entries expire. Budgets are small here to keep the test fast; the clock is injected.
 */
import { createGuard, memoryStore, type Decision, type Guard } from '@aap-guard/core';
import { createDpopKey, createIssuer, dpopProof, type DpopKey, type TestIssuer } from '@aap-guard/testing';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

const API = 'https://api.example.com';
let issuer: TestIssuer;
let key: DpopKey;
const guards: Guard[] = [];

beforeAll(async () => {
  [issuer, key] = await Promise.all([createIssuer(), createDpopKey()]);
});

afterEach(async () => {
  await Promise.all(guards.splice(0).map((guard) => guard.close()));
});

/** A guard on a memory store with these budgets, its clock under the test's control. */
async function setup(budgets: { maxKeys?: number; maxReplays?: number }) {
  let clock = Date.now();
  const now = () => clock;
  const guard = createGuard({
    issuer: issuer.issuer,
    audience: issuer.audience,
    jwks: issuer.jwks,
    now,
    logger: false,
    store: memoryStore({ ...budgets, now }),
  });
  guards.push(guard);
  const capabilities = [{ action: 'api.limited', constraints: { max_requests_per_day: 3 } }, { action: 'api.open' }];
  const token = await issuer.mint({ jkt: key.jkt, ttl: 3600, capabilities });
  /** One DPoP request with a fresh proof (a new `jti`) to the route of `action`. */
  const call = async (action: 'api.limited' | 'api.open'): Promise<Decision> => {
    const url = `${API}/${action}`;
    const dpop = await dpopProof({ key, method: 'GET', url, accessToken: token, iat: Math.floor(clock / 1000) });
    return guard.check({ method: 'GET', url, headers: { authorization: `DPoP ${token}`, dpop } }, { action });
  };
  return { call, advance: (ms: number) => void (clock += ms) };
}

const outcome = (d: Decision): string => (d.allowed ? '200' : `${d.status} ${d.reason}`);

describe('memory store budgets', () => {
  it("a flood of DPoP proofs to an unlimited route does not reset an agent's daily quota", async () => {
    const { call, advance } = await setup({ maxKeys: 50, maxReplays: 50 });
    const quota = [];
    for (let i = 0; i < 4; i += 1) quota.push(outcome(await call('api.limited')));
    expect(quota).toEqual(['200', '200', '200', '429 rate_limited']);

    const flood: Record<string, number> = {};
    let full: Decision | undefined;
    for (let i = 0; i < 60; i += 1) {
      const d = await call('api.open');
      flood[outcome(d)] = (flood[outcome(d)] ?? 0) + 1;
      if (d.reason === 'store_full') full = d;
    }
    const after = [];
    for (let i = 0; i < 3; i += 1) after.push(outcome(await call('api.limited')));
    expect(after).toEqual(['429 rate_limited', '429 rate_limited', '429 rate_limited']); // the quota is still spent
    // 3 markers of the admitted quota requests + 47 of the flood fill the replay budget of 50: then refused, never
    // forgotten.
    expect(flood).toEqual({ 200: 47, '503 store_full': 13 });
    expect(full?.headers['retry-after']).toMatch(/^\d+$/);
    expect(full?.body).toMatchObject({ error: 'temporarily_unavailable', reason: 'store_full' });

    advance(70_000); // every proof's replay marker has expired (60 s + 5 s + 1 s): the budget is free again
    expect(outcome(await call('api.limited'))).toBe('429 rate_limited'); // the day's counter was kept
    expect(outcome(await call('api.open'))).toBe('200');
  });

  it('a full counter budget refuses a new counter instead of evicting a live one', async () => {
    const { call } = await setup({ maxKeys: 1, maxReplays: 1000 });
    for (let i = 0; i < 3; i += 1) expect(outcome(await call('api.limited'))).toBe('200');
    const other = await issuer.mint({
      ttl: 3600,
      capabilities: [{ action: 'api.limited', constraints: { max_requests_per_day: 3 } }],
    });
    const guard = guards[0] as Guard;
    const url = `${API}/api.limited`;
    const d = await guard.check(
      { method: 'GET', url, headers: { authorization: `Bearer ${other}` } },
      { action: 'api.limited' },
    );
    expect(outcome(d)).toBe('503 store_full'); // a second token's counter does not fit
    expect(d.audit.detail).toMatchObject({ check: 'store', budget: 'counters' });
    expect(outcome(await call('api.limited'))).toBe('429 rate_limited'); // the first token's counter is intact
  });
});
