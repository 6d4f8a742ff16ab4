import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createGuard, memoryStore, type AuditEvent, type Guard, type GuardOptions } from '@aap-guard/core';
import { aapGuard } from '@aap-guard/express';
import {
  createDpopKey,
  createIssuer,
  dpopProof,
  type DpopKey,
  type DpopProofOptions,
  type TestIssuer,
} from '@aap-guard/testing';
import * as dpopLib from 'dpop';
import express from 'express';
import * as oauth from 'oauth4webapi';
import request from 'supertest';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

// DPoP (RFC 9449) end to end: real Express servers on loopback, real keys, real signatures.
// Tokens come from a test issuer on the real clock; each guard reads `Date.now() + shift` so a test can
// move it (nonce buckets) without sleeping.

const NONCE_SECRET = 'nonce-secret-shared-by-every-replica-0123456789';
const ALGS = 'algs="ES256 ES384 ES512 RS256 PS256 EdDSA"';

interface Api {
  readonly base: string;
  readonly guard: Guard;
  readonly events: AuditEvent[];
  /** ms added to the real clock, as the guard sees it. */
  shift: number;
  nowS(): number;
}

let as: TestIssuer;
let key: DpopKey;
let otherKey: DpopKey;
const servers: Server[] = [];
const guards: Guard[] = [];

beforeAll(async () => {
  as = await createIssuer();
  [key, otherKey] = await Promise.all([createDpopKey(), createDpopKey()]);
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  await Promise.all(guards.splice(0).map((guard) => guard.close()));
});

/** A listening Express app: `/v1/search` (GET, POST), `/v1/strict` (route dpop required), `/v1/plain` (disabled). */
async function api(options: Partial<GuardOptions> = {}): Promise<Api> {
  const events: AuditEvent[] = [];
  const self = { shift: 0 } as Api & { shift: number };
  const guard = createGuard({
    issuer: as.issuer,
    audience: as.audience,
    jwks: as.jwks,
    now: () => Date.now() + self.shift,
    audit: (event) => events.push(event),
    ...options,
  });
  guards.push(guard);
  const aap = aapGuard({ guard, undeclared: 'allow' });
  const app = express();
  app.use(aap);
  const ok: express.RequestHandler = (req, res) => {
    res.json({ scheme: req.aap?.scheme, action: req.aap?.action });
  };
  app.get('/v1/whoami', ok); // authenticated only: req.aap comes from the authentication step
  app.get('/v1/search', aap.require('search.web'), ok);
  app.post('/v1/search', aap.require('search.web'), ok);
  app.get('/v1/strict', aap.require('search.web', { dpop: 'required' }), ok);
  app.get('/v1/plain', aap.require('search.web', { dpop: 'disabled' }), ok);
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(self, {
    base: `http://127.0.0.1:${port}`,
    guard,
    events,
    nowS: () => Math.floor(guard.now() / 1000),
  });
}

/** A proof by `key` (default) for `method` + `path` on `target`, at the guard's time. */
function proofFor(
  target: Api,
  token: string,
  extra: Partial<DpopProofOptions> & { path?: string } = {},
): Promise<string> {
  const { path = '/v1/search', ...rest } = extra;
  return dpopProof({
    key,
    method: 'GET',
    url: `${target.base}${path}`,
    accessToken: token,
    iat: target.nowS(),
    ...rest,
  });
}

/** GET (or `method`) with `DPoP <token>` (or `scheme`) and the given DPoP header value(s). */
function send(
  target: Api,
  token: string,
  dpop?: string | string[],
  { method = 'GET', path = '/v1/search', scheme = 'DPoP' } = {},
) {
  const req = method === 'POST' ? request(target.base).post(path) : request(target.base).get(path);
  req.set('authorization', `${scheme} ${token}`);
  if (dpop !== undefined) req.set('dpop', dpop as string); // an array sends one header line per value
  return req;
}

function expectDeny(res: request.Response, status: number, error: string, reason: string): void {
  expect([res.status, res.body.error, res.body.reason]).toEqual([status, error, reason]);
  // privacy: the body is the generic triple, nothing about the proof or the key
  expect(Object.keys(res.body).sort()).toEqual(['error', 'error_description', 'reason']);
}

/** `WWW-Authenticate: DPoP error="…", …, algs="…"` (RFC 9449 §7.1). */
function expectDpopChallenge(res: request.Response, error: string): void {
  const header = String(res.headers['www-authenticate']);
  expect(header.startsWith(`DPoP error="${error}"`), header).toBe(true);
  expect(header).toContain(ALGS);
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('DPoP through Express: accepted proofs', () => {
  it('accepts a DPoP-bound token with a proof from our helper', async () => {
    const target = await api();
    const token = await as.mint({ jkt: key.jkt });
    const res = await send(target, token, await proofFor(target, token));
    expect(res.status).toBe(200);
    expect(res.body.action).toBe('search.web');
    expect(target.events.some((e) => e.detail?.dpopJkt === key.jkt)).toBe(true);
    const whoami = await send(target, token, await proofFor(target, token, { path: '/v1/whoami' }), {
      path: '/v1/whoami',
    });
    expect(whoami.body).toEqual({ scheme: 'DPoP' });
  });

  it('accepts a proof made by the independent `dpop` client library', async () => {
    const target = await api();
    const pair = await dpopLib.generateKeyPair('ES256');
    const token = await as.mint({ jkt: await dpopLib.calculateThumbprint(pair.publicKey) });
    const proof = await dpopLib.generateProof(pair, `${target.base}/v1/search`, 'GET', undefined, token);
    const res = await send(target, token, proof, { path: '/v1/search?q=oauth' });
    expect(res.status).toBe(200);
  });

  it('works with oauth4webapi end to end, including the server-nonce round trip', async () => {
    const target = await api({ dpop: { nonce: { secret: NONCE_SECRET } } });
    const pair = await oauth.generateKeyPair('ES256', { extractable: true });
    const handle = oauth.DPoP({}, pair);
    const token = await as.mint({ jkt: await handle.calculateThumbprint() });
    const call = () =>
      oauth.protectedResourceRequest(token, 'GET', new URL(`${target.base}/v1/search`), undefined, undefined, {
        DPoP: handle,
        [oauth.allowInsecureRequests]: true,
      });
    // first call: no nonce yet → 401 use_dpop_nonce, which oauth4webapi recognises and caches the nonce of
    const first = await call().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(oauth.isDPoPNonceError(first)).toBe(true);
    const res = await call();
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ action: 'search.web' });
  });

  it('compares htu after RFC 3986 normalization and ignores the query', async () => {
    const target = await api();
    const token = await as.mint({ jkt: key.jkt });
    const port = new URL(target.base).port;
    const htu = `HTTP://127.0.0.1:${port}/v1/%73earch?other=query#frag`; // scheme case, %73 = "s", query, fragment
    const res = await send(target, token, await proofFor(target, token, { claims: { htu } }), {
      path: '/v1/search?q=1',
    });
    expect(res.status).toBe(200);
  });

  it('accepts a proof within the forward leeway and one 59 s old', async () => {
    // the guard's clock stands still: on the real clock a slow second between signing and checking made the
    // 59 s old proof 60 s old (the flake this fixes)
    const frozen = Date.now();
    const target = await api({ now: () => frozen });
    const token = await as.mint({ jkt: key.jkt });
    expect((await send(target, token, await proofFor(target, token, { iat: target.nowS() + 3 }))).status).toBe(200);
    expect((await send(target, token, await proofFor(target, token, { iat: target.nowS() - 59 }))).status).toBe(200);
  });

  it('accepts proofs in every default algorithm (ES384, ES512, RS256, PS256, EdDSA)', async () => {
    const target = await api();
    for (const alg of ['ES384', 'ES512', 'RS256', 'PS256', 'EdDSA']) {
      const algKey = await createDpopKey(alg);
      const token = await as.mint({ jkt: algKey.jkt });
      const res = await send(target, token, await proofFor(target, token, { key: algKey }));
      expect(res.status, alg).toBe(200);
    }
  });
});

describe('DPoP through Express: every refusal', () => {
  it('dpop_proof_missing: DPoP scheme without a DPoP header', async () => {
    const target = await api();
    const res = await send(target, await as.mint({ jkt: key.jkt }));
    expectDeny(res, 401, 'invalid_dpop_proof', 'dpop_proof_missing');
    expectDpopChallenge(res, 'invalid_dpop_proof');
  });

  it('dpop_proof_invalid: malformed, unsigned, MAC-signed, wrong typ, private jwk, forged signature, two proofs…', async () => {
    const target = await api();
    const token = await as.mint({ jkt: key.jkt });
    const good = await proofFor(target, token);
    const [head, body] = good.split('.');
    const claims = { htm: 'GET', htu: `${target.base}/v1/search`, iat: target.nowS(), jti: 'j-1' };
    const macHeader = b64({ alg: 'HS256', typ: 'dpop+jwt', jwk: { kty: 'oct', k: 'c2VjcmV0' } });
    const macInput = `${macHeader}.${b64(claims)}`;
    const rs384 = await createDpopKey('RS384'); // a real asymmetric alg, but not in the default allowlist
    // each case, and the problem the audit event records for it (the response says only "invalid")
    const cases: Array<[string | string[], string]> = [
      ['garbage', 'not a compact JWS'],
      [[good, await proofFor(target, token)], 'more than one DPoP header'],
      [`${b64({ alg: 'none', typ: 'dpop+jwt', jwk: key.publicJwk })}.${b64(claims)}.`, 'alg not allowed'],
      [`${macInput}.${createHmac('sha256', 'secret').update(macInput).digest('base64url')}`, 'alg not allowed'],
      [await proofFor(target, token, { key: rs384 }), 'alg not allowed'],
      [await proofFor(target, token, { typ: 'JWT' }), 'typ is not dpop+jwt'],
      [await proofFor(target, token, { header: { jwk: { ...key.publicJwk, d: 'AAAA' } } }), 'jwk has private members'],
      [await proofFor(target, token, { header: { jwk: undefined } }), 'jwk missing'],
      [await proofFor(target, token, { key: otherKey, header: { jwk: key.publicJwk } }), 'signature invalid'], // forged: our jwk, another key
      [`${head}.${b64({ htm: 'GET' })}.${good.split('.')[2]}`, 'signature invalid'], // payload altered after signing
      [await proofFor(target, token, { claims: { jti: undefined } }), 'jti missing or too long'],
      [await proofFor(target, token, { claims: { iat: undefined } }), 'iat missing'],
      [`${head}.${body}.${'A'.repeat(9000)}`, 'proof too large'],
    ];
    for (const [dpop, problem] of cases) {
      const res = await send(target, token, dpop);
      expect([res.status, res.body.reason], problem).toEqual([401, 'dpop_proof_invalid']);
      expectDpopChallenge(res, 'invalid_dpop_proof');
      expect(target.events.at(-1)?.detail?.problem).toBe(problem);
    }
  });

  it('dpop_htm_mismatch: a proof for POST sent with GET', async () => {
    const target = await api();
    const token = await as.mint({ jkt: key.jkt });
    const res = await send(target, token, await proofFor(target, token, { method: 'POST' }));
    expectDeny(res, 401, 'invalid_dpop_proof', 'dpop_htm_mismatch');
    const post = await send(target, token, await proofFor(target, token, { method: 'POST' }), { method: 'POST' });
    expect(post.status).toBe(200);
  });

  it('dpop_htu_mismatch: a proof for another URL (path, host, port or scheme)', async () => {
    const target = await api();
    const token = await as.mint({ jkt: key.jkt });
    const port = Number(new URL(target.base).port);
    const urls = [
      `${target.base}/v1/other`,
      `http://api.example.com:${port}/v1/search`,
      `http://127.0.0.1:${port + 1}/v1/search`,
      `https://127.0.0.1:${port}/v1/search`,
    ];
    for (const url of urls) {
      const res = await send(target, token, await proofFor(target, token, { url }));
      expectDeny(res, 401, 'invalid_dpop_proof', 'dpop_htu_mismatch');
    }
  });

  it('dpop_iat_out_of_window: a proof from the future and a stale one', async () => {
    const target = await api();
    const token = await as.mint({ jkt: key.jkt });
    const future = await send(target, token, await proofFor(target, token, { iat: target.nowS() + 30 }));
    expectDeny(future, 401, 'invalid_dpop_proof', 'dpop_iat_out_of_window');
    const stale = await send(target, token, await proofFor(target, token, { iat: target.nowS() - 61 }));
    expectDeny(stale, 401, 'invalid_dpop_proof', 'dpop_iat_out_of_window');
    // a proof that was fresh, presented again once the window has moved on (guard clock + 61 s)
    const proof = await proofFor(target, token);
    target.shift = 61_000;
    expectDeny(await send(target, token, proof), 401, 'invalid_dpop_proof', 'dpop_iat_out_of_window');
  });

  it('dpop_replay: the same proof twice, also across replicas sharing one store', async () => {
    const store = memoryStore();
    const publicUrl = 'http://replicas.example';
    const [one, two] = await Promise.all([api({ store, publicUrl }), api({ store, publicUrl })]);
    const token = await as.mint({ jkt: key.jkt });
    const proof = await proofFor(one, token, { url: `${publicUrl}/v1/search` });
    expect((await send(one, token, proof)).status).toBe(200);
    const again = await send(one, token, proof);
    expectDeny(again, 401, 'invalid_dpop_proof', 'dpop_replay');
    expectDpopChallenge(again, 'invalid_dpop_proof');
    // two replicas behind one public URL: the proof the first admitted is refused by the second
    expectDeny(await send(two, token, proof), 401, 'invalid_dpop_proof', 'dpop_replay');
  });

  it('dpop_ath_mismatch: a proof for another token, or without ath', async () => {
    const target = await api();
    const token = await as.mint({ jkt: key.jkt });
    const sibling = await as.mint({ jkt: key.jkt }); // same key, another token
    expectDeny(
      await send(target, token, await proofFor(target, sibling)),
      401,
      'invalid_dpop_proof',
      'dpop_ath_mismatch',
    );
    expectDeny(
      await send(target, token, await proofFor(target, token, { accessToken: undefined })),
      401,
      'invalid_dpop_proof',
      'dpop_ath_mismatch',
    );
  });

  it('dpop_key_mismatch: a valid proof signed by another key; a DPoP-scheme token that is not bound', async () => {
    const target = await api();
    const token = await as.mint({ jkt: key.jkt });
    const res = await send(target, token, await proofFor(target, token, { key: otherKey }));
    expectDeny(res, 401, 'invalid_token', 'dpop_key_mismatch');
    expectDpopChallenge(res, 'invalid_token');
    const unbound = await as.mint();
    expectDeny(await send(target, unbound, await proofFor(target, unbound)), 401, 'invalid_token', 'dpop_key_mismatch');
  });

  it('dpop_downgrade: a cnf.jkt token with the Bearer scheme, with or without a proof', async () => {
    const target = await api();
    const token = await as.mint({ jkt: key.jkt });
    const bare = await send(target, token, undefined, { scheme: 'Bearer' });
    expectDeny(bare, 401, 'invalid_token', 'dpop_downgrade');
    expectDpopChallenge(bare, 'invalid_token');
    const withProof = await send(target, token, await proofFor(target, token), { scheme: 'Bearer' });
    expectDeny(withProof, 401, 'invalid_token', 'dpop_downgrade');
    // even on a route with DPoP disabled: the bound token cannot be used without its proof
    expectDeny(
      await send(target, token, undefined, { scheme: 'Bearer', path: '/v1/plain' }),
      401,
      'invalid_token',
      'dpop_downgrade',
    );
  });

  it('mode: optional by default, required globally or per route, disabled per route', async () => {
    const optional = await api();
    const unbound = await as.mint();
    const bound = await as.mint({ jkt: key.jkt });
    expect((await send(optional, unbound, undefined, { scheme: 'Bearer' })).status).toBe(200);
    const strict = await send(optional, unbound, undefined, { scheme: 'Bearer', path: '/v1/strict' });
    expectDeny(strict, 401, 'invalid_token', 'dpop_required');
    expectDpopChallenge(strict, 'invalid_token');
    expect(
      (await send(optional, bound, await proofFor(optional, bound, { path: '/v1/strict' }), { path: '/v1/strict' }))
        .status,
    ).toBe(200);
    const plain = await send(optional, bound, await proofFor(optional, bound, { path: '/v1/plain' }), {
      path: '/v1/plain',
    });
    expectDeny(plain, 401, 'invalid_token', 'dpop_disabled');
    expect((await send(optional, unbound, undefined, { scheme: 'Bearer', path: '/v1/plain' })).status).toBe(200);

    const required = await api({ dpop: { mode: 'required' } });
    expectDeny(await send(required, unbound, undefined, { scheme: 'Bearer' }), 401, 'invalid_token', 'dpop_required');
    expect((await send(required, bound, await proofFor(required, bound))).status).toBe(200);
    const disabled = await api({ dpop: { mode: 'disabled' } });
    expectDeny(await send(disabled, bound, await proofFor(disabled, bound)), 401, 'invalid_token', 'dpop_disabled');
    expect((await send(disabled, unbound, undefined, { scheme: 'Bearer' })).status).toBe(200);
  });

  it('a request without credentials is challenged with both schemes and the DPoP algs', async () => {
    const target = await api();
    const res = await request(target.base).get('/v1/search');
    expect(res.status).toBe(401);
    const metadata = 'resource_metadata="https://api.example.com/.well-known/oauth-protected-resource"'; // RFC 9728 §5.1, served by the adapter
    expect(res.headers['www-authenticate']).toBe(`Bearer ${metadata}, DPoP ${metadata}, ${ALGS}`);
  });
});

describe('DPoP server nonces (RFC 9449 §9) through Express', () => {
  const NONCE = { dpop: { nonce: { secret: NONCE_SECRET, lifetime: 300 } } } as const;

  it('issues a nonce (use_dpop_nonce + DPoP-Nonce), accepts it, rejects a wrong one', async () => {
    const target = await api(NONCE);
    const token = await as.mint({ jkt: key.jkt });
    const first = await send(target, token, await proofFor(target, token));
    expectDeny(first, 401, 'use_dpop_nonce', 'dpop_nonce_required');
    expectDpopChallenge(first, 'use_dpop_nonce');
    const nonce = first.headers['dpop-nonce'];
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{22}$/);

    const accepted = await send(target, token, await proofFor(target, token, { nonce }));
    expect(accepted.status).toBe(200);
    expect(accepted.headers['dpop-nonce']).toBeUndefined(); // still current: nothing new to send

    for (const wrong of ['A'.repeat(22), 'not a nonce', `${nonce}x`]) {
      const res = await send(target, token, await proofFor(target, token, { nonce: wrong }));
      expectDeny(res, 401, 'use_dpop_nonce', 'dpop_nonce_required');
      expect(res.headers['dpop-nonce']).toBe(nonce);
    }
    // every DPoP refusal carries a nonce, so the retry needs no extra round trip
    expect((await send(target, token)).headers['dpop-nonce']).toBe(nonce);
  });

  it('a nonce of the previous bucket is accepted with a fresh one; older is refused', async () => {
    const target = await api(NONCE);
    const token = await as.mint({ jkt: key.jkt });
    const nonce = (await send(target, token, await proofFor(target, token))).headers['dpop-nonce'];
    target.shift = 300_000; // next bucket
    const rotated = await send(target, token, await proofFor(target, token, { nonce }));
    expect(rotated.status).toBe(200);
    const fresh = rotated.headers['dpop-nonce'];
    expect(fresh).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(fresh).not.toBe(nonce);
    target.shift = 600_000; // two buckets later
    const old = await send(target, token, await proofFor(target, token, { nonce }));
    expectDeny(old, 401, 'use_dpop_nonce', 'dpop_nonce_required');
  });

  it('stateless: a replica with the same secret accepts a nonce another issued; another secret refuses it', async () => {
    const [one, two, stranger] = await Promise.all([
      api(NONCE),
      api(NONCE),
      api({ dpop: { nonce: { secret: 'a-different-secret-of-enough-length-0123456789' } } }),
    ]);
    const token = await as.mint({ jkt: key.jkt });
    const nonce = (await send(one, token, await proofFor(one, token))).headers['dpop-nonce'];
    expect((await send(two, token, await proofFor(two, token, { nonce }))).status).toBe(200);
    expectDeny(
      await send(stranger, token, await proofFor(stranger, token, { nonce })),
      401,
      'use_dpop_nonce',
      'dpop_nonce_required',
    );
  });
});

describe('htu behind a proxy', () => {
  const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'api.example.com' };

  it('uses X-Forwarded-* / Forwarded only from a trusted proxy', async () => {
    const trusted = await api({ trustProxy: ['127.0.0.1'] });
    const untrusted = await api({ trustProxy: ['10.0.0.1'] });
    const token = await as.mint({ jkt: key.jkt });
    const publicProof = () => proofFor(trusted, token, { url: 'https://api.example.com/v1/search' });
    expect((await send(trusted, token, await publicProof()).set(forwarded)).status).toBe(200);
    const rfc7239 = await send(trusted, token, await publicProof()).set(
      'forwarded',
      'for=1.2.3.4;proto=https;host=api.example.com',
    );
    expect(rfc7239.status).toBe(200);
    const spoofed = await send(untrusted, token, await publicProof()).set(forwarded);
    expectDeny(spoofed, 401, 'invalid_dpop_proof', 'dpop_htu_mismatch');
  });

  it('uses the configured publicUrl origin', async () => {
    const target = await api({ publicUrl: 'https://api.example.com' });
    const token = await as.mint({ jkt: key.jkt });
    expect(
      (await send(target, token, await proofFor(target, token, { url: 'https://api.example.com/v1/search' }))).status,
    ).toBe(200);
    expectDeny(
      await send(target, token, await proofFor(target, token)),
      401,
      'invalid_dpop_proof',
      'dpop_htu_mismatch',
    );
  });
});
