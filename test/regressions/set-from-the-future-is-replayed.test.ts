/**
 * Regression (issue 23, item 11): a Security Event Token dated in the future was accepted, and could be
 * replayed. Only a stale `iat` was refused: a SET with `iat` one day ahead was applied (202), and applied
 * again when delivered 16 minutes and 1 hour later — its de-duplication marker (`iss` + `jti`) had expired
 * after `maxAge` + `clockTolerance` while the SET itself stayed acceptable. A SET's `iat` may not lie beyond
 * the clock tolerance in the future (RFC 8935 `invalid_request`, with a description that gives nothing
 * away), nor more than `maxAge` in the past; and its marker lives as long as any replica could still
 * accept it, so no SET is ever applied twice. Pushed over real HTTP to each adapter's receiver, on a
 * frozen clock.
 */
import { createGuard, type AuditEvent, type Guard } from '@aap-guard/core';
import { AAP_REVOCATION_EVENT } from '@aap-guard/core/events';
import { createIssuer, signSecurityEvent, type TestIssuer } from '@aap-guard/testing';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pushSet, RECEIVERS } from '../helpers/event-receivers.js';

const AUD = 'https://api.example.com';
const MINUTE = 60_000;
/** The receiver's defaults: `maxAge` 600 s, the guard's `clockTolerance` 300 s. */
const MAX_AGE = 600;
const TOLERANCE = 300;
let as: TestIssuer;
beforeAll(async () => {
  as = await createIssuer({ audience: AUD });
});
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function mounted(name: keyof typeof RECEIVERS) {
  const clock = { now: Date.UTC(2026, 0, 5, 12) };
  const applied: AuditEvent[] = [];
  const guard: Guard = createGuard({
    issuer: as.issuer,
    audience: AUD,
    jwks: as.jwks,
    logger: false,
    now: () => clock.now,
    audit: (event) => void applied.push(event), // one event per revocation applied
  });
  closers.push(() => guard.close());
  const receiver = await RECEIVERS[name](guard);
  closers.push(() => receiver.close());
  return { url: receiver.url, guard, clock, applied };
}

const revokeTask = (iat: number) =>
  signSecurityEvent(as, { audience: AUD, iat, events: { [AAP_REVOCATION_EVENT]: { task_id: 'task-1' } } });

describe.each(Object.keys(RECEIVERS) as (keyof typeof RECEIVERS)[])('the %s receiver', (name) => {
  it('refuses a SET dated a day ahead, now and when redelivered 16 minutes and 1 hour later', async () => {
    const { url, guard, clock } = await mounted(name);
    const iat = clock.now / 1000 + 86_400;
    const set = await revokeTask(iat);
    for (const later of [0, 16 * MINUTE, 44 * MINUTE]) {
      clock.now += later;
      const answer = await pushSet(url, set);
      expect(answer).toMatchObject({ status: 400, err: 'invalid_request' });
      expect(answer.description).not.toMatch(/\d{6,}/); // no timestamps: neither the SET's nor the server's time
    }
    expect(await guard.revocations.list()).toEqual([]);
  });

  it('applies a SET dated at the edge of the clock tolerance once, however late it is redelivered', async () => {
    const { url, clock, applied } = await mounted(name);
    const start = clock.now;
    const iat = start / 1000 + TOLERANCE;
    const set = await revokeTask(iat);
    expect((await pushSet(url, set)).status).toBe(202);
    expect(applied).toHaveLength(1);
    clock.now = (iat + MAX_AGE) * 1000; // the last instant the SET is still accepted
    expect((await pushSet(url, set)).status).toBe(202); // acknowledged as a duplicate…
    expect(applied).toHaveLength(1); // …not applied again
    clock.now += 1;
    expect(await pushSet(url, set)).toMatchObject({ status: 400, err: 'invalid_request' }); // too old now
    expect(applied).toHaveLength(1);
  });

  it('accepts a SET issued maxAge ago, refuses one issued earlier', async () => {
    const { url, clock, applied } = await mounted(name);
    expect((await pushSet(url, await revokeTask(clock.now / 1000 - MAX_AGE))).status).toBe(202);
    expect(await pushSet(url, await revokeTask(clock.now / 1000 - MAX_AGE - 1))).toMatchObject({ status: 400 });
    expect(applied).toHaveLength(1);
  });
});
