import { beforeAll, describe, expect, it } from 'vitest';
import { importJWK } from 'jose';
import { createGuard, type GuardOptions, type KeyFunction } from '@aap-guard/core';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import { NOW, NOW_S, bearer, clock } from '../../helpers/tokens.js';

let as: TestIssuer;
beforeAll(async () => {
  as = await createIssuer({ now: () => NOW });
});

/** A key function that counts its calls — the "key lookup" a cached token must not repeat. */
function countingKeys(): { lookups: number; jwks: KeyFunction } {
  const counter = {
    lookups: 0,
    jwks: (async (header) => {
      counter.lookups += 1;
      const jwk = as.jwks.keys.find((key) => key.kid === header.kid);
      if (!jwk) throw new Error('no such key');
      return importJWK(jwk, String(header.alg));
    }) as KeyFunction,
  };
  return counter;
}

const make = (extra: Partial<GuardOptions>) =>
  createGuard({ issuer: as.issuer, audience: 'https://api.example.com', now: () => NOW, ...extra });

describe('verified-token cache', () => {
  it('a repeated token is verified once: the key lookup is not called again', async () => {
    const keys = countingKeys();
    const guard = make({ jwks: keys.jwks });
    const token = await as.mint();
    const first = await guard.check(bearer(token));
    const second = await guard.check(bearer(token));
    expect([first.allowed, second.allowed]).toEqual([true, true]);
    expect(keys.lookups).toBe(1);
    expect(second.claims).toBe(first.claims); // the same frozen object
    expect(Object.isFrozen(second.claims?.agent)).toBe(true);
    expect(second.audit.tokenHash).toBe(first.audit.tokenHash);
    await guard.check(bearer(await as.mint()));
    expect(keys.lookups).toBe(2); // another token is verified
  });

  it("a forged payload under a cached token's signature is verified in full and refused, and the cached token still works", async () => {
    const keys = countingKeys();
    const guard = make({ jwks: keys.jwks });
    const token = await as.mint();
    expect((await guard.check(bearer(token))).allowed).toBe(true);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url');
    const forged = await guard.check(bearer(`${header}.${forgedPayload}.${signature}`)); // same tail as the cached token
    expect(forged).toMatchObject({ allowed: false, reason: 'token_signature_invalid' });
    expect(keys.lookups).toBe(2); // the forgery was verified, not served from the cache
    const again = await guard.check(bearer(token));
    expect(again.allowed).toBe(true);
    expect(keys.lookups).toBe(2); // and the genuine token is still cached
  });

  it('tokenCacheSize 0 disables the cache', async () => {
    const keys = countingKeys();
    const guard = make({ jwks: keys.jwks, tokenCacheSize: 0 });
    const token = await as.mint();
    await guard.check(bearer(token));
    await guard.check(bearer(token));
    expect(keys.lookups).toBe(2);
  });

  it('does not extend a token past exp (lifetime re-checked on every request)', async () => {
    const keys = countingKeys();
    const time = clock();
    const guard = make({ jwks: keys.jwks, now: time.read, clockTolerance: 60 });
    const token = await as.mint({ claims: { exp: NOW_S + 10 } });
    expect((await guard.check(bearer(token))).allowed).toBe(true);
    time.now = (NOW_S + 10 + 60) * 1000;
    expect((await guard.check(bearer(token))).allowed).toBe(true); // within tolerance
    time.now += 1;
    expect((await guard.check(bearer(token))).reason).toBe('token_expired');
    expect((await guard.check(bearer(token))).reason).toBe('token_expired');
  });

  it('a cached token is still not valid before nbf on another guard clock', async () => {
    const keys = countingKeys();
    const time = clock();
    const guard = make({ jwks: keys.jwks, now: time.read, clockTolerance: 0 });
    const token = await as.mint({ claims: { nbf: NOW_S } });
    expect((await guard.check(bearer(token))).allowed).toBe(true);
    time.now = NOW - 1;
    expect((await guard.check(bearer(token))).reason).toBe('token_not_yet_valid');
    expect(keys.lookups).toBe(1);
  });

  it('a denied token is never cached', async () => {
    const keys = countingKeys();
    const guard = make({ jwks: keys.jwks });
    const token = await as.mint({ capabilities: [] });
    expect((await guard.check(bearer(token))).reason).toBe('token_claims_invalid');
    expect((await guard.check(bearer(token))).reason).toBe('token_claims_invalid');
    expect(keys.lookups).toBe(2);
  });

  it('a key function that throws means no key (401); an InfrastructureError means 503', async () => {
    const guard = make({
      jwks: async () => {
        throw new Error('nope');
      },
    });
    expect((await guard.check(bearer(await as.mint()))).reason).toBe('token_key_unknown');
    const { InfrastructureError } = await import('@aap-guard/core');
    const down = make({
      jwks: async () => {
        throw new InfrastructureError('jwks_unavailable', 'down');
      },
    });
    expect((await down.check(bearer(await as.mint()))).status).toBe(503);
  });
});
