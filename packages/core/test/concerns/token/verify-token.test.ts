import { beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, base64url, exportJWK, exportSPKI, importJWK, type CryptoKey } from 'jose';
import { createGuard, type Guard, type GuardOptions } from '@aap-guard/core';
import { createIssuer, serveJwks, type TestIssuer } from '@aap-guard/testing';
import { NOW, NOW_S, bearer, payloadJson, signParts, signRaw } from '../../helpers/tokens.js';

const AUD = 'https://api.example.com';
let as: TestIssuer;
let guard: Guard;
const make = (extra: Partial<GuardOptions> = {}) =>
  createGuard({ issuer: as.issuer, audience: AUD, jwks: as.jwks, now: () => NOW, ...extra });
const reasonOf = async (token: string, g = guard) => (await g.check(bearer(token))).reason;

beforeAll(async () => {
  as = await createIssuer({ now: () => NOW });
  guard = make();
});

describe('token verification', () => {
  it('accepts both claim spellings into one model, with the token hash', async () => {
    for (const spelling of ['bare', 'prefixed'] as const) {
      const d = await guard.check(bearer(await as.mint({ spelling, purpose: 'research' })));
      expect(d.allowed, spelling).toBe(true);
      expect(d.claims?.agent.id).toBe('agent-researcher-01');
      expect(d.claims?.task.purpose).toBe('research');
      expect(d.claims?.capabilities[0]?.action).toBe('search.web');
      expect(d.audit.tokenHash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
  });

  it('refuses alg none', async () => {
    const head = base64url.encode(JSON.stringify({ alg: 'none', typ: 'at+jwt' }));
    const d = await guard.check(bearer(`${head}.${base64url.encode(payloadJson(as))}.`));
    expect([d.status, d.error, d.reason]).toEqual([401, 'invalid_token', 'token_alg_not_allowed']);
  });

  it('refuses HS256 signed with the RSA public key as the secret', async () => {
    const rsa = await createIssuer({ alg: 'RS256', now: () => NOW });
    const g = createGuard({ issuer: rsa.issuer, audience: AUD, jwks: rsa.jwks, now: () => NOW });
    const publicKey = rsa.jwks.keys[0]!;
    const pem = await exportSPKI((await importJWK(publicKey, 'RS256')) as CryptoKey);
    for (const secret of [pem, JSON.stringify(publicKey)]) {
      const forged = await new SignJWT(JSON.parse(payloadJson(rsa)) as Record<string, unknown>)
        .setProtectedHeader({ alg: 'HS256', kid: rsa.kid })
        .sign(new TextEncoder().encode(secret));
      expect(await reasonOf(forged, g)).toBe('token_alg_not_allowed');
    }
  });

  it('refuses an unknown kid', async () => {
    expect(await reasonOf(await as.mint({ header: { kid: 'no-such-key' } }))).toBe('token_key_unknown');
  });

  it('never follows jku / x5u / jwk headers: the attacker key is not trusted', async () => {
    const attacker = await createIssuer({ issuer: as.issuer, now: () => NOW });
    const server = await serveJwks(attacker.jwks);
    try {
      const viaJku = await attacker.mint({ header: { jku: server.jwksUri, x5u: server.jwksUri } });
      expect(await reasonOf(viaJku)).toBe('token_key_unknown');
      const jwk = await exportJWK(attacker.privateKey).then(({ d: _d, ...pub }) => pub);
      const viaJwk = await attacker.mint({ header: { jwk, kid: as.kid } }); // and a kid that exists
      expect(await reasonOf(viaJwk)).toBe('token_signature_invalid');
      expect(server.fetches).toBe(0);
    } finally {
      await server.close();
    }
  });

  it('refuses a crit header naming an unknown extension', async () => {
    const token = await new SignJWT(JSON.parse(payloadJson(as)) as Record<string, unknown>)
      .setProtectedHeader({ alg: as.alg, kid: as.kid, crit: ['urn:example:unknown'], 'urn:example:unknown': true })
      .sign(as.privateKey, { crit: { 'urn:example:unknown': true } });
    expect(await reasonOf(token)).toBe('token_header_invalid');
  });

  it('three valid-looking parts with invalid base64url: token_malformed', async () => {
    const good = await as.mint();
    const [h, p, s] = good.split('.');
    expect(await reasonOf(`${h!.slice(0, 4)}+${h!.slice(5)}.${p}.${s}`)).toBe('token_malformed');
    expect(await reasonOf(await signParts(as, 'eyJ+~~'))).toBe('token_malformed'); // signed, payload not base64url
    expect(await reasonOf('abc.def.ghi')).toBe('token_malformed');
    expect(await reasonOf('only.two')).toBe('token_malformed');
  });

  it('a non-JSON or non-object payload: token_malformed', async () => {
    expect(await reasonOf(await signRaw(as, 'not json'))).toBe('token_malformed');
    expect(await reasonOf(await signRaw(as, '[1,2]'))).toBe('token_malformed');
  });

  it('a tampered payload: token_signature_invalid', async () => {
    const [h, , s] = (await as.mint()).split('.');
    expect(await reasonOf(`${h}.${base64url.encode(payloadJson(as))}.${s}`)).toBe('token_signature_invalid');
  });

  it('exp is required and numeric (RFC 9068 §2.2)', async () => {
    expect(await reasonOf(await as.mint({ claims: { exp: String(NOW_S + 600) } }))).toBe('token_claims_invalid');
    expect(await reasonOf(await as.mint({ claims: { exp: undefined } }))).toBe('token_claims_invalid');
    // eslint-disable-next-line no-loss-of-precision -- 1e400 on purpose: a JSON number no double holds
    expect(await reasonOf(await signRaw(as, payloadJson(as, '', 1e400 as number).replace('Infinity', '1e400')))).toBe(
      'token_claims_invalid',
    );
  });

  it('aud missing or foreign; iss untrusted', async () => {
    const noAud = await guard.check(bearer(await as.mint({ claims: { aud: undefined } })));
    expect([noAud.status, noAud.reason, noAud.audit.detail?.claim]).toEqual([401, 'token_claims_invalid', 'aud']);
    const foreign = await guard.check(bearer(await as.mint({ claims: { aud: 'https://other.example.com' } })));
    expect([foreign.reason, foreign.body?.error_description]).toEqual([
      'token_audience_mismatch',
      expect.stringContaining('audience'),
    ]);
    expect(await reasonOf(await as.mint({ claims: { iss: 'https://evil.example.com' } }))).toBe(
      'token_issuer_untrusted',
    );
  });

  it('several issuers and audiences: exact match, any audience', async () => {
    const g = make({ issuer: ['https://other.example.com', as.issuer], audience: ['https://x.example.com', AUD] });
    expect((await g.check(bearer(await as.mint({ claims: { aud: ['https://y.example.com', AUD] } })))).allowed).toBe(
      true,
    );
    expect(await reasonOf(await as.mint({ claims: { iss: `${as.issuer}/` } }), g)).toBe('token_issuer_untrusted');
  });

  it('requireTyp demands at+jwt; dpop+jwt is always refused', async () => {
    const strict = make({ requireTyp: true });
    expect((await strict.check(bearer(await as.mint()))).allowed).toBe(true);
    expect((await strict.check(bearer(await as.mint({ header: { typ: 'application/at+jwt' } })))).allowed).toBe(true);
    expect(await reasonOf(await as.mint({ header: { typ: 'JWT' } }), strict)).toBe('token_header_invalid');
    expect((await guard.check(bearer(await as.mint({ header: { typ: 'JWT' } })))).allowed).toBe(true);
    expect(await reasonOf(await as.mint({ header: { typ: 'dpop+jwt' } }))).toBe('token_header_invalid');
  });

  it('lifetime with clockTolerance, on the injected clock (edges)', async () => {
    const exp = NOW_S + 600;
    const token = await as.mint({ claims: { exp } });
    const at = (ms: number, tolerance = 300) => make({ now: () => ms, clockTolerance: tolerance, tokenCacheSize: 0 });
    expect((await at((exp + 300) * 1000).check(bearer(token))).allowed).toBe(true); // vector 01: exp + skew is accepted
    expect(await reasonOf(token, at((exp + 300) * 1000 + 1))).toBe('token_expired');
    expect(await reasonOf(token, at(exp * 1000 + 1, 0))).toBe('token_expired');
    const nbf = await as.mint({ claims: { nbf: NOW_S + 1000 } });
    expect((await at((NOW_S + 700) * 1000).check(bearer(nbf))).allowed).toBe(true);
    expect(await reasonOf(nbf, at((NOW_S + 700) * 1000 - 1))).toBe('token_not_yet_valid');
    const futureIat = await as.mint({ claims: { iat: NOW_S + 301 } });
    expect(await reasonOf(futureIat)).toBe('token_not_yet_valid');
    expect((await guard.check(bearer(await as.mint({ claims: { iat: NOW_S + 300 } })))).allowed).toBe(true);
  });

  it('an expired token is 401 token_expired with a generic description', async () => {
    const d = await guard.check(bearer(await as.mint({ claims: { exp: NOW_S - 301 } })));
    expect([d.status, d.error, d.reason, d.body?.error_description]).toEqual([
      401,
      'invalid_token',
      'token_expired',
      'The access token expired',
    ]);
  });

  it('misconfiguration is a TypeError naming the option', () => {
    expect(() => make({ algorithms: ['HS256'] })).toThrow(/options\.algorithms/);
    expect(() => make({ algorithms: ['none'] })).toThrow(/options\.algorithms/);
    expect(() => make({ algorithms: [] })).toThrow(/options\.algorithms/);
    expect(() => make({ clockTolerance: 301 })).toThrow(/options\.clockTolerance/);
    expect(() => make({ issuer: [] })).toThrow(/options\.issuer/);
    expect(() => make({ audience: '' })).toThrow(/options\.audience/);
    expect(() => make({ jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } })).toThrow(/options\.jwks\.keys/);
    expect(() => make({ jwks: { uri: 'not a url' } })).toThrow(/options\.jwks\.uri/);
    expect(() => make({ jwks: { uri: 'https://as.example.com/jwks', cacheMaxAgeMs: 86_400_001 } })).toThrow(
      /cacheMaxAgeMs/,
    );
    expect(() => make({ jwks: undefined, issuer: ['https://a.example.com', 'not-a-url'] })).toThrow(
      /options\.issuer\[1\]/,
    );
  });

  it('a token without kid is tried against each candidate key', async () => {
    const other = await createIssuer({ now: () => NOW });
    const g = make({ jwks: { keys: [...other.jwks.keys, ...as.jwks.keys] } });
    expect((await g.check(bearer(await as.mint({ header: { kid: undefined } })))).allowed).toBe(true);
    const stranger = await createIssuer({ now: () => NOW });
    expect(await reasonOf(await stranger.mint({ header: { kid: undefined } }), g)).toBe('token_signature_invalid');
  });

  it('an algorithm outside a narrowed allowlist is refused', async () => {
    expect(await reasonOf(await as.mint(), make({ algorithms: ['RS256'] }))).toBe('token_alg_not_allowed');
  });
});
