import { createHash, randomBytes } from 'node:crypto';
import { createGuard } from '@aap-guard/core';
import { createDpopKey } from '@aap-guard/testing';
import { describe, expect, it } from 'vitest';
import { NOW_S, ROUTE, popHarness } from './helpers.js';

// Guard-level checks with a frozen clock; the HTTP behaviour is in test/interop/dpop.test.ts.

describe('DPoP proof verification (RFC 9449 §4.3)', () => {
  it('iat window: maxAge back and leeway forward, both inclusive and configurable', async () => {
    const h = await popHarness({ dpop: { maxAge: 30, leeway: 2 } });
    const token = await h.token();
    const at = async (iat: number) =>
      (await h.guard.check(h.request(`DPoP ${token}`, await h.proof(token, { iat })), ROUTE)).reason;
    expect(await at(NOW_S - 30)).toBeUndefined();
    expect(await at(NOW_S - 31)).toBe('dpop_iat_out_of_window');
    expect(await at(NOW_S + 2)).toBeUndefined();
    expect(await at(NOW_S + 3)).toBe('dpop_iat_out_of_window');
  });

  it('remembers a jti for as long as its proof could be accepted (maxAge + leeway)', async () => {
    const h = await popHarness({ dpop: { maxAge: 60, leeway: 5 } });
    const token = await h.token();
    const proof = await h.proof(token, { iat: NOW_S + 5 }); // acceptable until NOW + 65 s
    expect((await h.guard.check(h.request(`DPoP ${token}`, proof), ROUTE)).allowed).toBe(true);
    h.clock.now += 65_000;
    expect((await h.guard.check(h.request(`DPoP ${token}`, proof), ROUTE)).reason).toBe('dpop_replay');
    h.clock.now += 1_000;
    expect((await h.guard.check(h.request(`DPoP ${token}`, proof), ROUTE)).reason).toBe('dpop_iat_out_of_window');
  });

  it('the configured algorithms are the only ones accepted and the ones advertised', async () => {
    const h = await popHarness({ dpop: { algorithms: ['ES256'] } });
    const ed = await createDpopKey('EdDSA');
    const token = await h.token({ jkt: ed.jkt });
    const d = await h.guard.check(h.request(`DPoP ${token}`, await h.proof(token, { key: ed })), ROUTE);
    expect([d.reason, d.audit.detail?.problem]).toEqual(['dpop_proof_invalid', 'alg not allowed']);
    expect(d.headers['www-authenticate']).toBe(
      'DPoP error="invalid_dpop_proof", error_description="The DPoP proof is invalid", resource_metadata="https://api.example.com/.well-known/oauth-protected-resource", algs="ES256"',
    );
  });

  it('never throws on hostile DPoP headers: every one is a 401', async () => {
    const h = await popHarness();
    const token = await h.token();
    const good = await h.proof(token);
    const [head, body] = good.split('.');
    const hostile = [
      '',
      '.',
      '..',
      '...',
      'a.b.c',
      `${head}..`,
      `${head}.${body}.`,
      `${head}.${body}.!!!!`,
      `${head}.${body}.${'A'.repeat(86)}`,
      `${head}.${body}.${good.split('.')[2]}.extra`,
      `${head}.${Buffer.from('"str"').toString('base64url')}.${good.split('.')[2]}`,
      `${head}.${Buffer.from('{"htm":').toString('base64url')}.x`,
      randomBytes(64).toString('base64url'),
      `${Buffer.from('{"typ":"dpop+jwt","alg":"ES256","jwk":{"kty":"EC","crv":"P-256","x":{},"y":[]}}').toString('base64url')}.${body}.x`,
      `${Buffer.from('{"__proto__":{"typ":"dpop+jwt"},"alg":"ES256"}').toString('base64url')}.${body}.x`,
    ];
    for (const dpop of hostile) {
      const d = await h.guard.check(h.request(`DPoP ${token}`, dpop), ROUTE);
      expect([d.status, d.error], JSON.stringify(dpop).slice(0, 60)).toEqual([401, 'invalid_dpop_proof']);
      expect(['dpop_proof_missing', 'dpop_proof_invalid']).toContain(d.reason);
    }
  });

  it('a proof must carry the request method exactly (htm is case-sensitive)', async () => {
    const h = await popHarness();
    const token = await h.token();
    const d = await h.guard.check(h.request(`DPoP ${token}`, await h.proof(token, { method: 'get' })), ROUTE);
    expect(d.reason).toBe('dpop_htm_mismatch');
  });
});

describe('mTLS binding (RFC 8705 §3) at the guard', () => {
  // the guard only hashes the DER; real certificates are in packages/express/test/mtls.test.ts
  const cert = randomBytes(300);
  const x5t = createHash('sha256').update(cert).digest('base64url');

  it('a token bound to both a DPoP key and a certificate needs both', async () => {
    const h = await popHarness();
    const token = await h.token({ x5t });
    const proof = () => h.proof(token);
    expect(
      (await h.guard.check(h.request(`DPoP ${token}`, await proof(), { clientCertificate: cert }), ROUTE)).allowed,
    ).toBe(true);
    expect((await h.guard.check(h.request(`DPoP ${token}`, await proof()), ROUTE)).reason).toBe(
      'mtls_certificate_missing',
    );
    expect(
      (await h.guard.check(h.request(`DPoP ${token}`, undefined, { clientCertificate: cert }), ROUTE)).reason,
    ).toBe('dpop_proof_missing');
  });

  it('Client-Cert from a trusted proxy: exactly one RFC 8941 byte sequence', async () => {
    const h = await popHarness({ trustProxy: ['10.0.0.1'] });
    const token = await h.token({ jkt: null, x5t });
    const via = (header: string | string[]) =>
      h.guard.check(
        h.request(`Bearer ${token}`, undefined, {
          clientIp: '10.0.0.1',
          headers: { authorization: `Bearer ${token}`, 'client-cert': header },
        }),
        ROUTE,
      );
    const value = `:${cert.toString('base64')}:`;
    expect((await via(value)).allowed).toBe(true);
    expect((await via(` ${value} `)).allowed).toBe(true);
    for (const bad of [
      [value, value],
      cert.toString('base64'),
      '::',
      `:${cert.toString('base64url')}:`,
      `:${'A'.repeat(20_000)}:`,
    ]) {
      expect((await via(bad)).reason, String(bad).slice(0, 30)).toBe('mtls_certificate_missing');
    }
  });
});

describe('options.dpop validation (TypeError naming the option)', () => {
  const base = { issuer: 'https://as.example.com', audience: 'https://api.example.com', jwks: { keys: [] } };
  it.each([
    [{ mode: 'strict' }, /options\.dpop\.mode/],
    [{ algorithms: [] }, /options\.dpop\.algorithms/],
    [{ algorithms: ['HS256'] }, /options\.dpop\.algorithms/],
    [{ algorithms: ['none'] }, /options\.dpop\.algorithms/],
    [{ maxAge: 0 }, /options\.dpop\.maxAge/],
    [{ leeway: -1 }, /options\.dpop\.leeway/],
    [{ nonce: { secret: 'short' } }, /options\.dpop\.nonce\.secret/],
    [{ nonce: { secret: 'x'.repeat(32), lifetime: 0 } }, /options\.dpop\.nonce\.lifetime/],
  ])('%j', (dpop, message) => {
    expect(() => createGuard({ ...base, dpop: dpop as never })).toThrow(message);
  });
});
