/**
 * A JWS without `kid` (RFC 7515 §4.1.4 makes it optional) verified by a key that has since been distrusted:
 * which key of the issuer signed it cannot be told, so while any key of its issuer is distrusted the token is
 * refused (`key_distrusted`, fail closed) — cached or not — and admitted again once every distrust is lifted.
 * Through `guard.keys` and `guard.check()`.
 */
import { createGuard, type Guard } from '@aap-guard/core';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

let as: TestIssuer;
const guards: Guard[] = [];

beforeAll(async () => {
  as = await createIssuer();
});
afterEach(async () => {
  await Promise.all(guards.splice(0).map((guard) => guard.close()));
});

describe('a token without kid, its issuer key distrusted', () => {
  it('is refused while any key of its issuer is distrusted, and admitted once lifted', async () => {
    const guard = createGuard({ issuer: as.issuer, audience: as.audience, jwks: as.jwks, logger: false, audit: false });
    guards.push(guard);
    const route = guard.route({ action: 'api.read' });
    const token = await as.mint({ capabilities: [{ action: 'api.read' }], header: { kid: undefined } });
    expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())).not.toHaveProperty('kid');
    const check = async () => {
      const request = {
        method: 'GET',
        url: 'https://api.example.com/v1/read',
        headers: { authorization: `Bearer ${token}` },
      };
      const decision = await guard.check(request, route);
      return decision.allowed ? 'allowed' : decision.reason;
    };
    expect(await check()).toBe('allowed'); // verified (the issuer's only key) and cached
    await guard.keys.distrust({ issuer: as.issuer, kid: as.kid }, { reason: 'leaked' });
    expect(await check()).toBe('key_distrusted');
    await guard.keys.distrust({ issuer: as.issuer, kid: 'another-key' }, { reason: 'leaked too' });
    expect(await guard.keys.trust({ issuer: as.issuer, kid: as.kid })).toBe(true);
    expect(await check()).toBe('key_distrusted'); // another key of the issuer is still distrusted
    expect(await guard.keys.trust({ issuer: as.issuer, kid: 'another-key' })).toBe(true);
    expect(await check()).toBe('allowed');
  });
});
