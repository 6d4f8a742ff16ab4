/**
 * Regression: a client could present forged or garbage tokens without end — each one a signature
 * verification (or an introspection call) — and nothing slowed it down. The draft (§12.11, "Denial-of-Service
 * Prevention") asks resource servers to "rate-limit the number of token validation attempts per source IP".
 * Now (`options.failedValidations`, default 300 per minute, per replica) the 301st failure from one client
 * address ends in 429 `too_many_failed_validations` with `Retry-After` for that address, while:
 * - valid tokens from other addresses keep working;
 * - a token already verified (cached) is never throttled: clients behind one NAT keep working when a
 *   neighbour sends garbage;
 * - requests that never reach verification (no AAP token: another scheme, coexistence) are never counted;
 * - capability denies of a valid token are not failures of the token.
 * Over real HTTP on every adapter: the conformance table's `failed validations:` rows.
 */
import { createGuard, type GuardOptions, type RequestInfo } from '@aap-guard/core';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import { beforeAll, describe, expect, it } from 'vitest';

const NOW = Date.UTC(2025, 5, 15, 12, 0, 0);
let as: TestIssuer;
let forger: TestIssuer;

beforeAll(async () => {
  as = await createIssuer({ now: () => NOW });
  forger = await createIssuer({ issuer: 'https://as.example.com', now: () => NOW }); // the trusted issuer's name, another key
});

function setup(options: Partial<GuardOptions> = {}) {
  const clock = { now: NOW };
  const guard = createGuard({
    issuer: as.issuer,
    audience: as.audience,
    jwks: as.jwks,
    logger: false,
    now: () => clock.now,
    ...options,
  });
  const send = async (authorization: string | undefined, clientIp: string, action = 'search.web') => {
    const request: RequestInfo = {
      method: 'GET',
      url: 'https://api.example.com/x',
      headers: authorization === undefined ? {} : { authorization },
      clientIp,
    };
    return guard.check(request, { action });
  };
  return { guard, clock, send };
}

const outcome = (decision: { allowed: boolean; status: number; reason?: string | undefined }) =>
  decision.allowed ? 'allowed' : `${decision.status} ${decision.reason}`;

describe('failed token validations are throttled per client address (§12.11)', () => {
  it('counts the verifications under way: a burst of concurrent forged tokens cannot overshoot the budget', async () => {
    const { guard, send } = setup({ failedValidations: { max: 3 } });
    const forged = await Promise.all(Array.from({ length: 12 }, () => forger.mint()));
    const outcomes = await Promise.all(forged.map((token) => send(`Bearer ${token}`, '198.51.100.9').then(outcome)));
    expect(outcomes.filter((o) => o.startsWith('401 token_'))).toHaveLength(3); // verified: at most the budget
    expect(outcomes.filter((o) => o === '429 too_many_failed_validations')).toHaveLength(9);
    await guard.close();
  });

  it('300 forged tokens from one address, then 429 with Retry-After there; other addresses and cached tokens keep working', async () => {
    const { guard, clock, send } = setup();
    expect(forger.issuer).toBe(as.issuer);
    const neighbour = `Bearer ${await as.mint()}`;
    expect(outcome(await send(neighbour, '203.0.113.7'))).toBe('allowed'); // verified, cached
    const forged = `Bearer ${await forger.mint()}`;
    for (let i = 0; i < 300; i += 1) {
      const garbage = i % 2 === 0 ? forged : `Bearer garbage-${i}`;
      expect(outcome(await send(garbage, '203.0.113.7')), `failure ${i + 1}`).toMatch(/^401 token_/);
    }
    const refused = await send(forged, '203.0.113.7');
    expect([refused.status, refused.reason, refused.error, refused.headers['retry-after']]).toEqual([
      429,
      'too_many_failed_validations',
      'invalid_request',
      expect.stringMatching(/^[1-9]\d*$/),
    ]);
    expect(outcome(await send(`Bearer ${await as.mint()}`, '203.0.113.7'))).toBe('429 too_many_failed_validations'); // not verified at all
    expect(outcome(await send(neighbour, '203.0.113.7'))).toBe('allowed'); // behind the same NAT, verified before
    expect(outcome(await send(`Bearer ${await as.mint()}`, '198.51.100.1'))).toBe('allowed'); // another address
    clock.now += 61_000;
    expect(outcome(await send(`Bearer ${await as.mint()}`, '203.0.113.7'))).toBe('allowed'); // the window has passed
    await guard.close();
  });

  it('counts only the token failing: not another scheme, not capability denies, not the first 299', async () => {
    const { guard, send } = setup({ authRequired: false, failedValidations: { max: 3 } });
    const valid = `Bearer ${await as.mint()}`;
    for (let i = 0; i < 10; i += 1) {
      expect(outcome(await send('Basic YWxhZGRpbjpvcGVuc2VzYW1l', '203.0.113.7'))).toBe('allowed'); // the app's own credentials
      expect(outcome(await send(valid, '203.0.113.7', 'cms.publish'))).toBe('403 capability_missing');
    }
    for (let i = 0; i < 3; i += 1)
      expect(outcome(await send(`Bearer bad-${i}`, '203.0.113.7'))).toBe('401 token_malformed');
    expect(outcome(await send('Bearer bad', '203.0.113.7'))).toBe('429 too_many_failed_validations');
    await guard.close();
  });

  it('an IPv6 client is counted by its /64; failedValidations: false turns the throttle off', async () => {
    const { guard, send } = setup({ failedValidations: { max: 2 } });
    expect(outcome(await send('Bearer bad', '2001:db8:1:2::a'))).toBe('401 token_malformed');
    expect(outcome(await send('Bearer bad', '2001:db8:1:2:ffff::b'))).toBe('401 token_malformed');
    expect(outcome(await send('Bearer bad', '2001:db8:1:2::c'))).toBe('429 too_many_failed_validations');
    expect(outcome(await send('Bearer bad', '2001:db8:1:3::c'))).toBe('401 token_malformed');
    await guard.close();
    const off = setup({ failedValidations: false });
    for (let i = 0; i < 400; i += 1) await off.send('Bearer bad', '203.0.113.7');
    expect(outcome(await off.send('Bearer bad', '203.0.113.7'))).toBe('401 token_malformed');
    await off.guard.close();
  });

  it('a misconfigured throttle is a TypeError naming the option', () => {
    const base = {
      issuer: 'https://as.example.com',
      audience: 'https://api.example.com',
      jwks: { keys: [] },
      logger: false as const,
    };
    expect(() => createGuard({ ...base, failedValidations: { max: 0 } })).toThrow(/options\.failedValidations\.max/);
    expect(() => createGuard({ ...base, failedValidations: { windowMs: 1000 } })).toThrow(
      /options\.failedValidations\.windowMs/,
    );
    expect(() => createGuard({ ...base, failedValidations: { maximum: 3 } as never })).toThrow(/failedValidations/);
  });
});
