import { beforeAll, describe, expect, it } from 'vitest';
import { createGuard, type Guard } from '@aap-guard/core';
import { createDpopKey, createIssuer, dpopProof, type DpopKey, type TestIssuer } from '@aap-guard/testing';
import { NOW, NOW_S, request } from '../helpers/tokens.js';

let as: TestIssuer;
let guard: Guard;
let token: string;
let dpopKey: DpopKey;
let boundToken: string;

beforeAll(async () => {
  as = await createIssuer({ now: () => NOW });
  guard = createGuard({ issuer: as.issuer, audience: 'https://api.example.com', jwks: as.jwks, now: () => NOW });
  token = await as.mint();
  dpopKey = await createDpopKey();
  boundToken = await as.mint({ jkt: dpopKey.jkt });
});

describe('credential extraction (RFC 6750 §2, RFC 9449 §7.1)', () => {
  it('accepts Bearer and DPoP, scheme case-insensitive', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'DPoP', 'dpop']) {
      const isDpop = scheme.toLowerCase() === 'dpop';
      // the DPoP scheme needs a DPoP-bound token and a fresh proof (RFC 9449 §7.1)
      const proof = isDpop
        ? await dpopProof({
            key: dpopKey,
            method: 'GET',
            url: 'https://api.example.com/v1/search',
            accessToken: boundToken,
            iat: NOW_S,
          })
        : undefined;
      const authorization = `${scheme} ${isDpop ? boundToken : token}`;
      const d = await guard.check(
        request(authorization, { headers: proof ? { authorization, dpop: proof } : { authorization } }),
      );
      expect(d.allowed, scheme).toBe(true);
      expect(d.principal?.scheme).toBe(isDpop ? 'DPoP' : 'Bearer');
    }
  });

  it('no credentials: 401 credentials_missing with a challenge', async () => {
    const d = await guard.check(request());
    expect([d.status, d.error, d.reason]).toEqual([401, 'invalid_token', 'credentials_missing']);
    expect(d.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it('two Authorization headers: 400 credentials_multiple', async () => {
    const asArray = await guard.check(request([`Bearer ${token}`, `Bearer ${token}`]));
    expect([asArray.status, asArray.reason]).toEqual([400, 'credentials_multiple']);
    const joined = await guard.check(request(`Bearer ${token}, DPoP ${token}`));
    expect([joined.status, joined.reason]).toEqual([400, 'credentials_multiple']);
  });

  it('a single-element header array is one credential', async () => {
    expect((await guard.check(request([`Bearer ${token}`]))).allowed).toBe(true);
  });

  it('a token in the query string is refused, with or without a header', async () => {
    const url = `https://api.example.com/v1/search?q=x&access_token=${token}`;
    const both = await guard.check(request(`Bearer ${token}`, { url }));
    expect([both.status, both.error, both.reason]).toEqual([400, 'invalid_request', 'credentials_in_query']);
    const alone = await guard.check(request(undefined, { url }));
    expect(alone.reason).toBe('credentials_in_query');
    const encoded = await guard.check(request(`Bearer ${token}`, { url: 'https://api.example.com/?acc%65ss_token=x' }));
    expect(encoded.reason).toBe('credentials_in_query');
    const bare = await guard.check(request(`Bearer ${token}`, { url: 'https://api.example.com/?q=x&access_token' }));
    expect(bare.reason).toBe('credentials_in_query');
  });

  it('finds access_token as any parameter name, whatever comes before it', async () => {
    const query = [
      '?access_token',
      '?access_token#f',
      '?a&b&access_token=1',
      '?x=a=b&access_token=1',
      '?x=1&&access_token=&y',
      '?q=%41&acc%65ss_token',
      '?a=1&access%5Ftoken=2&b',
    ];
    for (const q of query) {
      expect((await guard.check(request(`Bearer ${token}`, { url: `https://api.example.com/${q}` }))).reason, q).toBe(
        'credentials_in_query',
      );
    }
    for (const q of [
      '?a=access_token&b=access_token',
      '?access_tokens=1',
      '?xaccess_token=1',
      '?a=1&b#&access_token=1',
      '?acc%65ss_tokens=1',
      '?=access_token',
    ]) {
      expect((await guard.check(request(`Bearer ${token}`, { url: `https://api.example.com/${q}` }))).allowed, q).toBe(
        true,
      );
    }
  });

  it('finds the spellings a qs query parser (Express 4) reads as a top-level access_token', async () => {
    const at = (query: string) => guard.check(request(`Bearer ${token}`, { url: `https://api.example.com/${query}` }));
    const qs = ['?[access_token]=x', '?%5Baccess_token%5D=x', '?access_token[]=x', '?access_token[a]=x'];
    for (const q of [...qs, '?.access_token=x', '?[[access_token=x']) {
      expect((await at(q)).reason, q).toBe('credentials_in_query');
    }
    const nested = ['?x[access_token]=1', '?f[access_token_hint]=1', '?access_token_hint[]=1', '?aaaaaaaccess_token=1'];
    for (const q of nested) expect((await at(q)).allowed, q).toBe(true);
  });

  it('scans a query of many long names in linear time (each marker searched for once)', async () => {
    const names = Array.from({ length: 20_000 }, (_, n) => `name_${n}_access_toke=1`).join('&') + '&q=access_token%25';
    const started = performance.now();
    const url = `https://api.example.com/?${names}`;
    expect((await guard.check(request(`Bearer ${token}`, { url }))).allowed).toBe(true);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('access_token inside an encoded value, or after the fragment, is no query parameter', async () => {
    for (const url of [
      'https://api.example.com/?url=https%3A%2F%2Fx.example%2F%3Faccess_token%3Dy',
      'https://api.example.com/?q=1#access_token=y',
      'https://api.example.com/?my_access_token=y',
    ]) {
      expect((await guard.check(request(`Bearer ${token}`, { url }))).allowed, url).toBe(true);
    }
  });

  it('a token in a form body is refused', async () => {
    const d = await guard.check(request(`Bearer ${token}`, { method: 'POST', bodyAccessToken: true }));
    expect(d.reason).toBe('credentials_in_query');
  });

  it('malformed Authorization headers: 400 authorization_malformed', async () => {
    for (const value of [
      'Bearer',
      'Bearer ',
      `Bearer ${token} extra`,
      'Bearer a!b',
      '',
      `Bearer\t${token}`,
      `DPoP\t${token}`,
      '(bad',
    ]) {
      const d = await guard.check(request(value));
      expect([d.status, d.reason], JSON.stringify(value)).toEqual([400, 'authorization_malformed']);
    }
  });

  it('another scheme is no AAP credential: 401 with a challenge naming ours (RFC 9110 §11.6.1), not a 400', async () => {
    for (const value of ['Basic dXNlcjpwYXNz', 'ApiKey k-123', 'Token abc', 'Negotiate', 'Bearertoken']) {
      const d = await guard.check(request(value));
      expect([d.status, d.reason], JSON.stringify(value)).toEqual([401, 'credentials_missing']);
      expect(d.headers['www-authenticate']).toMatch(/^Bearer( resource_metadata="[^"]+")?, DPoP\b/);
      expect(d.headers['www-authenticate']).not.toContain('error=');
    }
  });

  it('a token over maxTokenSize is refused before parsing', async () => {
    const big = await guard.check(request(`Bearer ${'a'.repeat(16_385)}`));
    expect([big.status, big.reason]).toEqual([401, 'token_too_large']);
    const huge = await guard.check(request(`Bearer ${'!'.repeat(1_000_000)}`)); // not even token68: size first
    expect(huge.reason).toBe('token_too_large');
    const small = createGuard({
      issuer: as.issuer,
      audience: 'https://api.example.com',
      jwks: as.jwks,
      maxTokenSize: 100,
      now: () => NOW,
    });
    expect((await small.check(request(`Bearer ${token}`))).reason).toBe('token_too_large');
  });

  it('rejects a bad maxTokenSize at createGuard', () => {
    expect(() => createGuard({ issuer: as.issuer, audience: 'a', jwks: as.jwks, maxTokenSize: 0 })).toThrow(
      /maxTokenSize/,
    );
  });
});
