/**
 * Token introspection (RFC 7662, RFC 9701) against a real loopback authorization server (test/helpers/stub-as.ts):
 * active and inactive answers, an AS that is down, slow or answers garbage, each client authentication
 * method, the cache's bounds, coalescing, discovery of the endpoint, signed answers, and the modes that
 * introspect JWTs.
 */
import { createHash } from 'node:crypto';
import { decodeJwt, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { createGuard, memoryStore, type GuardOptions, type Logger } from '@aap-guard/core';
import { type RevocationStore } from '@aap-guard/core/store';
import { createDpopKey, createIssuer, dpopProof, type TestIssuer } from '@aap-guard/testing';
import { stubAs, type StubAs } from '../../../helpers/stub-as.js';

const AUD = 'https://api.example.com';
const ROUTE = { action: 'search.web' };
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (stops.length) await stops.pop()!();
});

async function started(options: Parameters<typeof stubAs>[0] = {}): Promise<StubAs> {
  const as = await stubAs(options);
  stops.push(() => as.stop());
  return as;
}

/** An active RFC 7662 answer carrying AAP claims, for `iss`, expiring `ttl` s after `now`. */
function active(iss: string, now: number, extra: Record<string, unknown> = {}, ttl = 600): Record<string, unknown> {
  const iat = Math.floor(now / 1000);
  return {
    active: true,
    iss,
    aud: AUD,
    iat,
    exp: iat + ttl,
    sub: 'agent-7',
    client_id: 'agent-7',
    token_type: 'Bearer',
    agent: { id: 'agent-7', type: 'llm-autonomous', operator: 'org:example' },
    task: { id: 'task-7', purpose: 'research' },
    capabilities: [{ action: 'search.web' }],
    ...extra,
  };
}

const request = (token: string, scheme = 'Bearer', headers: Record<string, string> = {}) => ({
  method: 'GET',
  url: `${AUD}/v1/search`,
  headers: { authorization: `${scheme} ${token}`, ...headers },
});

/** A logger that keeps every line. */
function recording(): Logger & { lines: { level: string; fields: Record<string, unknown>; message?: string }[] } {
  const lines: { level: string; fields: Record<string, unknown>; message?: string }[] = [];
  const at = (level: string) => (fields: Readonly<Record<string, unknown>>, message?: string) =>
    void lines.push({ level, fields: { ...fields }, message });
  return { lines, error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

const secret = { id: 'api', secret: 'rs-secret' };

function guardFor(
  as: StubAs,
  extra: Partial<GuardOptions> = {},
  introspection: Partial<NonNullable<GuardOptions['introspection']>> = {},
) {
  return createGuard({
    issuer: as.url,
    audience: AUD,
    jwks: { keys: [] },
    logger: false,
    ...extra,
    introspection: { endpoint: `${as.url}/introspect`, client: secret, ...introspection },
  });
}

describe('introspection of opaque tokens', () => {
  it('an active answer runs through the whole pipeline: claims normalized (either spelling), capabilities matched', async () => {
    const as = await started();
    const now = Date.now();
    as.answers.set('opaque-bare', active(as.url, now));
    const prefixed = active(as.url, now);
    for (const name of ['agent', 'task', 'capabilities'])
      [prefixed[`aap_${name}`], prefixed[name]] = [prefixed[name], undefined];
    as.answers.set('opaque-prefixed', JSON.parse(JSON.stringify(prefixed)));
    const guard = guardFor(as);
    const bare = await guard.check(request('opaque-bare'), ROUTE);
    expect([bare.allowed, bare.claims?.agent.id, bare.claims?.iss, bare.claims?.extra.client_id]).toEqual([
      true,
      'agent-7',
      as.url,
      'agent-7',
    ]);
    expect((await guard.check(request('opaque-prefixed'), ROUTE)).allowed).toBe(true);
    expect((await guard.check(request('opaque-bare'), { action: 'cms.publish' })).reason).toBe('capability_missing');
  });

  it('an answer without sub (RFC 7662: optional) takes client_id as the subject; without either it is refused', async () => {
    const as = await started();
    const now = Date.now();
    as.answers.set('no-sub', active(as.url, now, { sub: undefined }));
    as.answers.set('no-sub-no-client', active(as.url, now, { sub: undefined, client_id: undefined }));
    as.answers.set('both', active(as.url, now, { sub: 'user-1' }));
    const guard = guardFor(as);
    const noSub = await guard.check(request('no-sub'), ROUTE);
    expect([noSub.allowed, noSub.claims?.sub, noSub.claims?.extra.client_id]).toEqual([true, 'agent-7', 'agent-7']);
    expect((await guard.check(request('both'), ROUTE)).claims?.sub).toBe('user-1');
    const neither = await guard.check(request('no-sub-no-client'), ROUTE);
    expect([neither.reason, neither.audit.detail?.path]).toEqual(['token_claims_invalid', '/sub']);
  });

  it('an inactive answer is 401 token_inactive, remembered for inactiveTtl only', async () => {
    const as = await started();
    const clock = { now: Date.now() };
    const guard = guardFor(as, { now: () => clock.now }, { inactiveTtl: 10 });
    const first = await guard.check(request('revoked-token'), ROUTE);
    expect([first.status, first.error, first.reason]).toEqual([401, 'invalid_token', 'token_inactive']);
    expect(first.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
    await guard.check(request('revoked-token'), ROUTE);
    expect(as.received).toHaveLength(1);
    clock.now += 10_001;
    await guard.check(request('revoked-token'), ROUTE);
    expect(as.received).toHaveLength(2);
  });

  it('an active answer for another audience, without exp, or naming another issuer is refused', async () => {
    const as = await started();
    const now = Date.now();
    as.answers.set('other-aud', active(as.url, now, { aud: 'https://other.example.com' }));
    as.answers.set('no-exp', active(as.url, now, { exp: undefined }));
    as.answers.set('other-iss', active(as.url, now, { iss: 'https://evil.example.com' }));
    as.answers.set('expired', active(as.url, now, {}, -3600));
    const guard = guardFor(as);
    expect((await guard.check(request('other-aud'), ROUTE)).reason).toBe('token_audience_mismatch');
    expect((await guard.check(request('no-exp'), ROUTE)).reason).toBe('token_claims_invalid');
    expect((await guard.check(request('other-iss'), ROUTE)).reason).toBe('token_issuer_untrusted');
    expect((await guard.check(request('expired'), ROUTE)).reason).toBe('token_expired');
  });

  it('cnf.jkt in the answer binds the opaque token to its DPoP key: no proof is a downgrade, the right proof passes', async () => {
    const as = await started();
    const key = await createDpopKey();
    as.answers.set('bound-opaque', active(as.url, Date.now(), { cnf: { jkt: key.jkt }, token_type: 'DPoP' }));
    const guard = guardFor(as);
    expect((await guard.check(request('bound-opaque'), ROUTE)).reason).toBe('dpop_downgrade');
    const proof = await dpopProof({ key, method: 'GET', url: `${AUD}/v1/search`, accessToken: 'bound-opaque' });
    expect((await guard.check(request('bound-opaque', 'DPoP', { dpop: proof }), ROUTE)).allowed).toBe(true);
  });

  it('the endpoint is read from the issuer metadata (RFC 8414 introspection_endpoint) when not given', async () => {
    const as = await started();
    as.answers.set('opaque-1', active(as.url, Date.now()));
    const guard = createGuard({
      issuer: as.url,
      audience: AUD,
      jwks: { keys: [] },
      logger: false,
      introspection: { client: secret },
    });
    expect((await guard.check(request('opaque-1'), ROUTE)).allowed).toBe(true);
  });

  it('neither the log nor the audit event ever carries the raw token, only its hash', async () => {
    const as = await started();
    as.answers.set('opaque-secret-value', active(as.url, Date.now()));
    const logger = recording();
    const events: unknown[] = [];
    const guard = guardFor(as, { logger, audit: (event) => events.push(event) });
    await guard.check(request('opaque-secret-value'), ROUTE);
    as.misbehave('html');
    await guard.check(request('opaque-secret-value-2'), ROUTE);
    const everything = JSON.stringify([logger.lines, events]);
    expect(everything).not.toContain('opaque-secret-value');
    expect(everything).toContain(createHash('sha256').update('opaque-secret-value').digest('base64url'));
  });
});

describe('introspection outages: 503 introspection_unavailable with Retry-After, a circuit breaker, logged once', () => {
  it('an unreachable AS: 503, Retry-After, no call during the backoff, one error line', async () => {
    const as = await started();
    const endpoint = `${as.url}/introspect`;
    await as.stop();
    const clock = { now: Date.now() };
    const logger = recording();
    const guard = createGuard({
      issuer: as.url,
      audience: AUD,
      jwks: { keys: [] },
      now: () => clock.now,
      logger,
      introspection: { endpoint, client: secret },
    });
    const down = await guard.check(request('opaque-1'), ROUTE);
    expect([down.status, down.error, down.reason, down.headers['retry-after']]).toEqual([
      503,
      'temporarily_unavailable',
      'introspection_unavailable',
      '1',
    ]);
    const again = await guard.check(request('opaque-2'), ROUTE);
    expect(again.reason).toBe('introspection_unavailable');
    expect(again.audit.detail).toMatchObject({ fault: expect.stringContaining('backing off') });
    clock.now += 1_001; // past the first backoff step: tried again, fails again, backs off 2 s
    expect((await guard.check(request('opaque-3'), ROUTE)).headers['retry-after']).toBe('2');
    const errors = logger.lines.filter((line) => line.fields.event === 'introspection.down');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      level: 'error',
      fields: { component: 'introspection', cause: expect.stringContaining('unreachable') },
    });
  });

  it('an AS answering garbage (HTML, JSON without active, HTTP 500, HTTP 401) is an outage, never an allow', async () => {
    const as = await started();
    as.answers.set('opaque-1', active(as.url, Date.now(), {}, 86_400));
    const clock = { now: Date.now() };
    const guard = guardFor(as, { now: () => clock.now });
    for (const how of ['html', 'no-active', 'error', 'unauthorized'] as const) {
      as.misbehave(how);
      clock.now += 600_000; // past any backoff
      const decision = await guard.check(request('opaque-1'), ROUTE);
      expect([how, decision.status, decision.reason]).toEqual([how, 503, 'introspection_unavailable']);
    }
    as.misbehave(undefined);
    clock.now += 600_000;
    expect((await guard.check(request('opaque-1'), ROUTE)).allowed).toBe(true);
  });

  it('a slow AS is cut off at timeoutMs: 503 in bounded time', async () => {
    const as = await started();
    as.answers.set('opaque-1', active(as.url, Date.now()));
    as.misbehave({ slowMs: 3_000 });
    const guard = guardFor(as, {}, { timeoutMs: 200 });
    const started_ = performance.now();
    const decision = await guard.check(request('opaque-1'), ROUTE);
    expect(decision.reason).toBe('introspection_unavailable');
    expect(performance.now() - started_).toBeLessThan(2_500); // well before the AS would answer (3 s)
    expect(decision.audit.detail).toMatchObject({ fault: expect.stringContaining('did not answer within 200 ms') });
  });

  it('a recovery is logged once, as info, after the breaker let a call through', async () => {
    const as = await started();
    as.answers.set('opaque-1', active(as.url, Date.now()));
    const clock = { now: Date.now() };
    const logger = recording();
    const guard = guardFor(as, {
      now: () => clock.now,
      logger,
      audit: () => undefined,
      delegation: { unknownParent: 'allow-audited' },
    });
    as.misbehave('error');
    await guard.check(request('opaque-1'), ROUTE);
    as.misbehave(undefined);
    clock.now += 1_001;
    expect((await guard.check(request('opaque-1'), ROUTE)).allowed).toBe(true);
    expect(logger.lines.map((line) => [line.level, line.fields.event])).toEqual([
      ['error', 'introspection.down'],
      ['info', 'introspection.up'],
    ]);
  });
});

describe('client authentication to the introspection endpoint', () => {
  it('client_secret_basic: the form-urlencoded id and secret in HTTP Basic (RFC 6749 §2.3.1)', async () => {
    const as = await started();
    const guard = guardFor(as, {}, { client: { id: 'api:one', secret: 'p@ss word/+' } });
    await guard.check(request('opaque-1'), ROUTE);
    const [scheme, encoded] = String(as.received[0]!.headers.authorization).split(' ');
    expect(scheme).toBe('Basic');
    expect(Buffer.from(encoded!, 'base64').toString()).toBe('api%3Aone:p%40ss+word%2F%2B');
    expect(as.received[0]!.form.get('client_secret')).toBeNull();
    expect(as.received[0]!.form.get('token')).toBe('opaque-1');
    expect(as.received[0]!.form.get('token_type_hint')).toBe('access_token');
  });

  it('client_secret_post: client_id and client_secret in the form, no Authorization header', async () => {
    const as = await started();
    const guard = guardFor(as, {}, { client: { id: 'api', auth: 'client_secret_post', secret: 'rs-secret' } });
    await guard.check(request('opaque-1'), ROUTE);
    const { headers, form } = as.received[0]!;
    expect([headers.authorization, form.get('client_id'), form.get('client_secret')]).toEqual([
      undefined,
      'api',
      'rs-secret',
    ]);
  });

  it('private_key_jwt: a fresh RFC 7523 assertion per call (iss = sub = client, aud = issuer, jti, short exp)', async () => {
    const as = await started();
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), kid: 'rs-key-1', alg: 'ES256' };
    const guard = guardFor(as, {}, { client: { id: 'api', auth: 'private_key_jwt', key: jwk } });
    await guard.check(request('opaque-1'), ROUTE);
    await guard.check(request('opaque-2'), ROUTE);
    const assertions = as.received.map(({ form }) => {
      expect(form.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      expect(form.get('client_secret')).toBeNull();
      return form.get('client_assertion')!;
    });
    const { payload, protectedHeader } = await jwtVerify(assertions[0]!, publicKey, {
      issuer: 'api',
      subject: 'api',
      audience: as.url,
    });
    expect(protectedHeader.kid).toBe('rs-key-1');
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(60);
    expect(decodeJwt(assertions[1]!).jti).not.toBe(payload.jti);
  });

  it('a misconfigured client is a TypeError at createGuard() naming the option', async () => {
    const as = await started();
    expect(() => guardFor(as, {}, { client: { id: 'api', secret: '' } })).toThrow(
      /options\.introspection\.client\.secret/,
    );
    expect(() =>
      guardFor(as, {}, { client: { id: 'api', auth: 'private_key_jwt', key: { kty: 'EC' } } as never }),
    ).toThrow(/options\.introspection\.client\.key/);
    expect(() => guardFor(as, {}, { mode: 'sometimes' as never })).toThrow(/options\.introspection\.mode/);
  });
});

describe('the introspection cache', () => {
  it('concurrent checks of one token share one call (single flight)', async () => {
    const as = await started();
    as.answers.set('opaque-1', active(as.url, Date.now()));
    as.misbehave({ slowMs: 100 });
    const guard = guardFor(as);
    const decisions = await Promise.all(Array.from({ length: 10 }, () => guard.check(request('opaque-1'), ROUTE)));
    expect(decisions.every((d) => d.allowed)).toBe(true);
    expect(as.received).toHaveLength(1);
  });

  it('is bounded in entries: the least recently used answer is introspected again', async () => {
    const as = await started();
    for (const token of ['t1', 't2', 't3']) as.answers.set(token, active(as.url, Date.now()));
    const guard = guardFor(as, {}, { cacheSize: 2 });
    for (const token of ['t1', 't2', 't3', 't3', 't2']) await guard.check(request(token), ROUTE);
    expect(as.received.map(({ form }) => form.get('token'))).toEqual(['t1', 't2', 't3']);
    await guard.check(request('t1'), ROUTE);
    expect(as.received).toHaveLength(4);
  });

  it('an active answer is trusted for cacheMaxTtl at most, and never past the token exp', async () => {
    const as = await started();
    const clock = { now: Date.now() };
    as.answers.set('long', active(as.url, clock.now, {}, 3600));
    as.answers.set('short', active(as.url, clock.now, {}, 20));
    const guard = guardFor(as, { now: () => clock.now, clockTolerance: 0 }, { cacheMaxTtl: 60 });
    await guard.check(request('long'), ROUTE);
    await guard.check(request('short'), ROUTE);
    clock.now += 30_000; // short expired: introspected again (and refused by its exp)
    expect((await guard.check(request('long'), ROUTE)).allowed).toBe(true);
    expect((await guard.check(request('short'), ROUTE)).reason).toBe('token_expired');
    expect(as.received.map(({ form }) => form.get('token'))).toEqual(['long', 'short', 'short']);
    clock.now += 30_001; // long past cacheMaxTtl: asked again — and now the AS says inactive
    as.answers.delete('long');
    expect((await guard.check(request('long'), ROUTE)).reason).toBe('token_inactive');
  });
});

describe('JWT answers (RFC 9701) and introspected JWTs', () => {
  let issuer: TestIssuer;

  it('signed answers verified with the issuer keys are used; an unsigned (plain JSON) or foreign-signed answer is an outage', async () => {
    issuer = await createIssuer({ issuer: 'pending' });
    const as = await started({ jwks: issuer.jwks });
    const signer = await createIssuer({ issuer: as.url, kid: issuer.kid });
    const own: TestIssuer = { ...signer, jwks: issuer.jwks, privateKey: issuer.privateKey };
    as.answers.set('opaque-1', active(as.url, Date.now()));
    const clock = { now: Date.now() };
    const guard = createGuard({
      issuer: as.url,
      audience: AUD,
      now: () => clock.now,
      logger: false,
      introspection: { client: secret, jwtResponse: true },
    });
    as.signAnswers(own);
    expect((await guard.check(request('opaque-1'), ROUTE)).allowed).toBe(true);
    expect(as.received[0]!.headers.accept).toBe('application/token-introspection+jwt');
    as.signAnswers(undefined); // plain JSON: a downgrade
    clock.now += 600_000;
    expect((await guard.check(request('opaque-2'), ROUTE)).reason).toBe('introspection_unavailable');
    as.signAnswers(signer); // signed with a key not in the issuer's JWKS
    clock.now += 600_000;
    expect((await guard.check(request('opaque-3'), ROUTE)).reason).toBe('introspection_unavailable');
  });

  it("mode 'always': a valid JWT is introspected too, and an inactive answer refuses it", async () => {
    const as = await started();
    issuer = await createIssuer({ issuer: as.url });
    const guard = createGuard({
      issuer: as.url,
      audience: AUD,
      jwks: issuer.jwks,
      logger: false,
      introspection: { endpoint: `${as.url}/introspect`, client: secret, mode: 'always' },
    });
    const token = await issuer.mint();
    expect((await guard.check(request(token), ROUTE)).reason).toBe('token_inactive');
    as.answers.set(token, { active: true });
    const other = await issuer.mint();
    as.answers.set(other, { active: true });
    expect((await guard.check(request(other), ROUTE)).allowed).toBe(true);
    expect((await guard.check(request(other), ROUTE)).allowed).toBe(true);
    expect(as.received).toHaveLength(2); // the second check of `other` came from the cache
  });

  it("mode 'opaque' (default): JWTs are never introspected", async () => {
    const as = await started();
    issuer = await createIssuer({ issuer: as.url });
    const guard = createGuard({
      issuer: as.url,
      audience: AUD,
      jwks: issuer.jwks,
      logger: false,
      introspection: { endpoint: `${as.url}/introspect`, client: secret },
    });
    expect((await guard.check(request(await issuer.mint()), ROUTE)).allowed).toBe(true);
    expect(as.received).toHaveLength(0);
  });

  it("mode 'fallback': while the revocation list cannot vouch, an active answer admits the JWT instead of a 503", async () => {
    const as = await started();
    issuer = await createIssuer({ issuer: as.url });
    const neverSynced: RevocationStore = {
      add: async () => undefined,
      snapshot: async () => [],
      subscribe: () => () => undefined,
    };
    const store = { ...memoryStore(), revocations: neverSynced };
    const plain = createGuard({ issuer: as.url, audience: AUD, jwks: issuer.jwks, logger: false, store });
    const token = await issuer.mint();
    expect((await plain.check(request(token), ROUTE)).reason).toBe('store_unavailable');
    const guard = createGuard({
      issuer: as.url,
      audience: AUD,
      jwks: issuer.jwks,
      logger: false,
      store,
      introspection: { endpoint: `${as.url}/introspect`, client: secret, mode: 'fallback' },
    });
    as.answers.set(token, { active: true });
    expect((await guard.check(request(token), ROUTE)).allowed).toBe(true);
    expect((await guard.check(request(await issuer.mint()), ROUTE)).reason).toBe('token_inactive');
  });
});
