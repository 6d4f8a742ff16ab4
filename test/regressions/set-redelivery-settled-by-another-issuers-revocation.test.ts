/**
 * Regression (issue 23, same cause as item 4): the redelivery of a Security Event Token was settled by
 * another issuer's revocation. When a SET's first delivery fails half-way (a store fault after its `iss` +
 * `jti` was claimed), the redelivery is a "duplicate" that only re-applies the revocations when they are not
 * in force yet. That test compared kind and value only: issuer B's revocation of task `task-1` made issuer
 * A's redelivered SET revoking A's `task-1` look applied — it was acknowledged and never applied, and A's
 * tokens of that task kept working. A revocation in force must name the same issuer (or every issuer).
 */
import { createGuard, memoryStore } from '@aap-guard/core';
import { AAP_REVOCATION_EVENT } from '@aap-guard/core/events';
import { memoryRevocations } from '@aap-guard/core/store';
import { type Revocation } from '@aap-guard/core';
import { securityEventReceiver } from '@aap-guard/core/events';
import { createIssuer, signSecurityEvent } from '@aap-guard/testing';
import { describe, expect, it } from 'vitest';

const AUD = 'https://api.example.com';

describe('a SET redelivered after a half-way failure', () => {
  it("is applied, although another issuer's revocation of the same task id is in force", async () => {
    const A = await createIssuer({ issuer: 'https://a.example.com', audience: AUD });
    const B = await createIssuer({ issuer: 'https://b.example.com', audience: AUD });
    const revocations = memoryRevocations();
    let failing = false;
    const add = async (entry: Revocation) => {
      if (!failing) return revocations.add(entry);
      failing = false;
      throw new Error('store down');
    };
    const guard = createGuard({
      issuer: [
        { issuer: A.issuer, jwks: A.jwks },
        { issuer: B.issuer, jwks: B.jwks },
      ],
      audience: AUD,
      logger: false,
      store: { ...memoryStore(), revocations: { ...revocations, add } },
    });
    try {
      await guard.revoke({ taskId: 'task-1', issuer: B.issuer });
      const aToken = await A.mint({ taskId: 'task-1' });
      const request = { method: 'GET', url: `${AUD}/x`, headers: { authorization: `Bearer ${aToken}` } };
      const check = async () => (await guard.check(request, { action: 'search.web' })).reason ?? 'allowed';
      expect(await check()).toBe('allowed');
      const receiver = securityEventReceiver(guard);
      const events = { [AAP_REVOCATION_EVENT]: { task_id: 'task-1' } };
      const set = await signSecurityEvent(A, { audience: AUD, events });
      failing = true;
      expect(await receiver.process(set)).toMatchObject({ kind: 'unavailable' });
      const headers = { 'content-type': 'application/secevent+jwt' };
      const pushed = await receiver.push(undefined, { headers, body: set });
      expect(pushed.status).toBe(202);
      expect(await check()).toBe('token_revoked');
      const listed = (await guard.revocations.list()).map(({ issuer, value }) => [issuer, value]).sort();
      expect(listed).toEqual([
        [A.issuer, 'task-1'],
        [B.issuer, 'task-1'],
      ]);
    } finally {
      await guard.close();
    }
  });
});
