/**
 * Regression (issue 23, same cause as item 5): a capability set resolved for one issuer's token was used
 * for another issuer's. `capabilitiesRef.resolve` as a function receives the token's `iss` so it can answer
 * per issuer, but the guard cached its answer under the reference alone: once issuer A's token with
 * `capabilities_ref: 'urn:caps:team'` had been resolved (to `payments.send`), issuer B's token with the
 * same reference got A's set without the resolver being asked — B's token could send payments. Capability
 * sets, their single flight and their backoff are now kept per issuer and reference.
 */
import { createGuard, type Guard } from '@aap-guard/core';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import { describe, expect, it } from 'vitest';

const AUD = 'https://api.example.com';
const PAY = { action: 'payments.send' };
const SEARCH = { action: 'search.web' };

const reason = async (guard: Guard, token: string, route: { action: string }) => {
  const request = { method: 'GET', url: `${AUD}/x`, headers: { authorization: `Bearer ${token}` } };
  return (await guard.check(request, route)).reason ?? 'allowed';
};
const byRef = (issuer: TestIssuer, ref: string) =>
  issuer.mint({ claims: { capabilities: undefined, capabilities_ref: ref } });

describe('capabilities_ref resolved by a function', () => {
  it("one issuer's set is never used for another issuer's token with the same reference", async () => {
    const A = await createIssuer({ issuer: 'https://a.example.com', audience: AUD });
    const B = await createIssuer({ issuer: 'https://b.example.com', audience: AUD });
    const asked: string[] = [];
    const guard = createGuard({
      issuer: [
        { issuer: A.issuer, jwks: A.jwks },
        { issuer: B.issuer, jwks: B.jwks },
      ],
      audience: AUD,
      logger: false,
      capabilitiesRef: {
        resolve: (ref, token) => {
          asked.push(`${token.iss} ${ref}`);
          if (ref === 'urn:caps:broken' && token.iss === A.issuer) throw new Error('A directory down');
          return token.iss === A.issuer ? [PAY] : [SEARCH];
        },
      },
    });
    try {
      expect(await reason(guard, await byRef(A, 'urn:caps:team'), PAY)).toBe('allowed');
      expect(await reason(guard, await byRef(B, 'urn:caps:team'), PAY)).toBe('capability_missing');
      expect(await reason(guard, await byRef(B, 'urn:caps:team'), SEARCH)).toBe('allowed');
      // A's failure backs off A's reference only
      expect(await reason(guard, await byRef(A, 'urn:caps:broken'), PAY)).toBe('capabilities_unavailable');
      expect(await reason(guard, await byRef(B, 'urn:caps:broken'), SEARCH)).toBe('allowed');
      expect(asked).toEqual([
        `${A.issuer} urn:caps:team`,
        `${B.issuer} urn:caps:team`,
        `${A.issuer} urn:caps:broken`,
        `${B.issuer} urn:caps:broken`,
      ]);
    } finally {
      await guard.close();
    }
  });
});
