import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { createDpopKey } from '@aap-guard/testing';
import { describe, expect, it } from 'vitest';
import { createProofKeyCache } from '../../../src/concerns/pop/key-cache.js';

const ALL = ['ES256', 'ES384', 'ES512', 'RS256', 'PS256', 'EdDSA', 'Ed25519'];
const segment = (header: Record<string, unknown>) => Buffer.from(JSON.stringify(header)).toString('base64url');
const generate = generateKeyPairSync as (type: string, options: object) => { publicKey: KeyObject };
/** A fresh public JWK from node:crypto (not from the code under test). */
const publicJwk = (type: 'ec' | 'rsa' | 'ed25519' | 'ed448', extra: object = {}): JWK =>
  generate(type, { namedCurve: 'P-256', modulusLength: 2048, ...extra }).publicKey.export({ format: 'jwk' }) as JWK;

describe('proof key cache (RFC 9449 §4.3 steps 4–7, RFC 7638)', () => {
  it('imports each supported key type with the RFC 7638 thumbprint jose computes', async () => {
    const cache = createProofKeyCache(ALL, 10);
    const keys: Array<[string, JWK]> = [
      ['ES256', publicJwk('ec')],
      ['ES384', publicJwk('ec', { namedCurve: 'P-384' })],
      ['ES512', publicJwk('ec', { namedCurve: 'P-521' })],
      ['RS256', publicJwk('rsa')],
      ['PS256', publicJwk('rsa')],
      ['EdDSA', publicJwk('ed25519')],
      ['EdDSA', publicJwk('ed448')],
      ['Ed25519', publicJwk('ed25519')],
    ];
    for (const [alg, jwk] of keys) {
      // extra members (kid, use, alg) do not change the thumbprint
      const key = cache.resolve(segment({ typ: 'dpop+jwt', alg, jwk: { ...jwk, kid: 'k', use: 'sig' } }));
      expect('problem' in key ? key.problem : key.jkt, alg).toBe(await calculateJwkThumbprint(jwk, 'sha256'));
    }
    const helper = await createDpopKey();
    const key = cache.resolve(segment({ typ: 'dpop+jwt', alg: 'ES256', jwk: helper.publicJwk }));
    expect('jkt' in key && key.jkt).toBe(helper.jkt);
  });

  it('a repeat of the same header is a cache hit (the same object)', () => {
    const cache = createProofKeyCache(ALL, 10);
    const header = segment({ typ: 'dpop+jwt', alg: 'ES256', jwk: publicJwk('ec') });
    expect(cache.resolve(header)).toBe(cache.resolve(header));
  });

  it('is bounded: an evicted key is imported again', () => {
    const cache = createProofKeyCache(ALL, 1);
    const first = segment({ typ: 'dpop+jwt', alg: 'ES256', jwk: publicJwk('ec') });
    const a = cache.resolve(first);
    cache.resolve(segment({ typ: 'dpop+jwt', alg: 'ES256', jwk: publicJwk('ec') }));
    const again = cache.resolve(first);
    expect(again).not.toBe(a);
    expect(again).toEqual(a);
  });

  it('refuses headers that are not a DPoP proof header with a public key fit for its alg', () => {
    const cache = createProofKeyCache(['ES256', 'RS256', 'EdDSA'], 10);
    const ec = publicJwk('ec');
    const cases: Array<[string, string]> = [
      ['!!!', 'header is not base64url JSON object'],
      [Buffer.from('[1]').toString('base64url'), 'header is not base64url JSON object'],
      [segment({ alg: 'ES256', jwk: ec }), 'typ is not dpop+jwt'],
      [segment({ typ: 'jwt', alg: 'ES256', jwk: ec }), 'typ is not dpop+jwt'],
      [segment({ typ: 'dpop+jwt', alg: 'none', jwk: ec }), 'alg not allowed'],
      [segment({ typ: 'dpop+jwt', alg: 'HS256', jwk: ec }), 'alg not allowed'],
      [segment({ typ: 'dpop+jwt', alg: 'ES384', jwk: ec }), 'alg not allowed'], // supported, not configured
      [segment({ typ: 'dpop+jwt', alg: 'toString', jwk: ec }), 'alg not allowed'],
      [segment({ typ: 'dpop+jwt', alg: 'ES256', jwk: ec, crit: ['exp'] }), 'crit not supported'],
      [segment({ typ: 'dpop+jwt', alg: 'ES256' }), 'jwk missing'],
      [segment({ typ: 'dpop+jwt', alg: 'RS256', jwk: ec }), 'jwk kty does not fit alg'],
      [segment({ typ: 'dpop+jwt', alg: 'ES256', jwk: { ...ec, d: 'x' } }), 'jwk has private members'],
      [segment({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty: 'EC', crv: 'P-256', x: ec.x } }), 'jwk.y invalid'],
      [
        segment({ typ: 'dpop+jwt', alg: 'ES256', jwk: publicJwk('ec', { namedCurve: 'P-384' }) }),
        'jwk crv does not fit alg',
      ],
      [segment({ typ: 'dpop+jwt', alg: 'ES256', jwk: { ...ec, y: ec.x } }), 'jwk could not be imported'], // not on the curve
      [segment({ typ: 'dpop+jwt', alg: 'RS256', jwk: publicJwk('rsa', { modulusLength: 1024 }) }), 'RSA key too short'],
    ];
    for (const [header, problem] of cases) {
      const key = cache.resolve(header);
      expect('problem' in key && key.problem, problem).toBe(problem);
    }
  });

  it('accepts typ case-insensitively and with the application/ prefix (RFC 7515 §4.1.9)', () => {
    const cache = createProofKeyCache(['ES256'], 10);
    for (const typ of ['DPoP+JWT', 'application/dpop+jwt']) {
      expect('jkt' in cache.resolve(segment({ typ, alg: 'ES256', jwk: publicJwk('ec') })), typ).toBe(true);
    }
  });
});
