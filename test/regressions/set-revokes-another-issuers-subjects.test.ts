/**
 * Regression (issue 23, item 4): issuer A's Security Event Token revoked issuer B's users and tokens. A
 * guard trusting two authorization servers, A and B, each with its own keys, accepted (202) a CAEP/RISC SET
 * signed by A whose subject named `iss: B` — and B's tokens then got 401 `token_revoked`: any trusted issuer
 * could switch off every other issuer's users. A SET may only affect subjects of the issuer that signed it;
 * one naming another issuer is refused with RFC 8935 `invalid_request` and nothing of it is applied. Pushed
 * over real HTTP to the receiver of each adapter.
 */
import { createGuard, type Guard } from '@aap-guard/core';
import { CAEP_SESSION_REVOKED, RISC_CREDENTIAL_COMPROMISE } from '@aap-guard/core/events';
import { createIssuer, signSecurityEvent, type TestIssuer } from '@aap-guard/testing';
import { decodeJwt } from 'jose';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pushSet, RECEIVERS } from '../helpers/event-receivers.js';

const AUD = 'https://api.example.com';
let A: TestIssuer;
let B: TestIssuer;
beforeAll(async () => {
  A = await createIssuer({ issuer: 'https://a.example.com', audience: AUD });
  B = await createIssuer({ issuer: 'https://b.example.com', audience: AUD });
});
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function mounted(name: keyof typeof RECEIVERS): Promise<{ url: string; guard: Guard }> {
  const issuer = [
    { issuer: A.issuer, jwks: A.jwks },
    { issuer: B.issuer, jwks: B.jwks },
  ];
  const guard = createGuard({ issuer, audience: AUD, logger: false });
  closers.push(() => guard.close());
  const receiver = await RECEIVERS[name](guard);
  closers.push(() => receiver.close());
  return { url: receiver.url, guard };
}

const check = async (guard: Guard, token: string) => {
  const request = { method: 'GET', url: `${AUD}/x`, headers: { authorization: `Bearer ${token}` } };
  return (await guard.check(request, { action: 'search.web' })).reason ?? 'allowed';
};

/** A CAEP session-revoked SET signed by `signer` about `subject`. */
const sessionRevoked = (signer: TestIssuer, subject: Record<string, unknown>) =>
  signSecurityEvent(signer, { audience: AUD, events: { [CAEP_SESSION_REVOKED]: { subject, event_timestamp: 1 } } });

const ADAPTERS = Object.keys(RECEIVERS) as (keyof typeof RECEIVERS)[];

describe.each(ADAPTERS)('a SET pushed to the %s receiver', (name) => {
  it("signed by A, naming B's user, token or an alias of them: 400 invalid_request, nothing applied", async () => {
    const { url, guard } = await mounted(name);
    const bToken = await B.mint({ claims: { sub: 'user-42' } });
    const bJti = String(decodeJwt(bToken).jti);
    expect(await check(guard, bToken)).toBe('allowed');
    const sets = [
      await sessionRevoked(A, { format: 'iss_sub', iss: B.issuer, sub: 'user-42' }),
      await signSecurityEvent(A, {
        audience: AUD,
        claims: { sub_id: { format: 'jwt_id', iss: B.issuer, jti: bJti } },
        events: { [RISC_CREDENTIAL_COMPROMISE]: { credential_type: 'bearer-token' } },
      }),
      // one identifier of A's own beside one of B's: the whole SET is refused, A's part is not applied either
      await sessionRevoked(A, {
        format: 'aliases',
        identifiers: [
          { format: 'iss_sub', iss: A.issuer, sub: 'user-42' },
          { format: 'jwt_id', iss: B.issuer, jti: bJti },
        ],
      }),
    ];
    for (const set of sets) expect(await pushSet(url, set)).toMatchObject({ status: 400, err: 'invalid_request' });
    expect(await check(guard, bToken)).toBe('allowed');
    expect(await guard.revocations.list()).toEqual([]);
  });

  it("signed by issuer A about A's own user: applied to A's tokens only, B's namesake keeps access", async () => {
    const { url, guard } = await mounted(name);
    const aToken = await A.mint({ claims: { sub: 'user-42' } });
    const bToken = await B.mint({ claims: { sub: 'user-42' } });
    const set = await sessionRevoked(A, { format: 'iss_sub', iss: A.issuer, sub: 'user-42' });
    expect(await pushSet(url, set)).toMatchObject({ status: 202 });
    expect([await check(guard, aToken), await check(guard, bToken)]).toEqual(['token_revoked', 'allowed']);
  });
});
