import { BODY_DIGEST, bodyDigest } from '@aap-guard/core';
import { aapGuard } from '@aap-guard/express';
import request from 'supertest';
import { afterEach, expect, it } from 'vitest';
import { bearer, forEachExpress, setup } from './helpers.js';

// Runs on Express 5 and on Express 4 (see helpers.ts): the adapter reaches the version-specific
// router only in declared-routes.ts.

forEachExpress('@aap-guard/express: app.use(aap)', (express) => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  async function app() {
    const { as, guard, events } = await setup();
    closers.push(() => guard.close());
    const aap = aapGuard({ guard });
    const server = express();
    server.use(aap);
    server.get('/whoami', (req, res) => {
      res.json({ agent: req.aap?.claims.agent.id, scheme: req.aap?.scheme });
    });
    server.get('/v1/search', aap.require('search.web', { target: (req) => req.query.url }), (req, res) => {
      res.json({ action: req.aap?.action, capability: req.aap?.capability?.action });
    });
    server.post('/v1/publish', aap.require('cms.publish'), (_req, res) => {
      res.json({ published: true });
    });
    server.get('/boom', aap.require('search.web', { target: () => { throw new Error('app bug'); } }), (_req, res) => {
      res.json({ unreachable: true });
    });
    return { as, guard, events, server };
  }

  it('sets req.aap to the verified principal on allow', async () => {
    const { as, server } = await app();
    const res = await request(server).get('/whoami').set('authorization', bearer(await as.mint({ agentId: 'agent-x' })));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ agent: 'agent-x', scheme: 'Bearer' });
  });

  it('denies a request without credentials with 401, a challenge and a privacy-preserving body', async () => {
    const { server } = await app();
    const res = await request(server).get('/whoami');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({ error: 'invalid_token', error_description: expect.any(String), reason: 'credentials_missing' });
  });

  it('denies a garbage token with 401 invalid_token, never a 500', async () => {
    const { server } = await app();
    const res = await request(server).get('/whoami').set('authorization', 'Bearer not.a.jwt');
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_token');
    expect(res.headers['www-authenticate']).toMatch(/^Bearer .*error="invalid_token"/);
  });

  it.each([
    ['an empty scheme', 'Bearer'],
    ['a large token', `Bearer ${'a'.repeat(15_000)}`],
    ['non-token characters', 'Bearer ###'],
    ['an unknown scheme', 'Basic dXNlcjpwYXNz'],
    ['three parts of junk base64url', 'Bearer e30.e30.AAAA'],
  ])('answers %s with a 4xx deny, never a 500', async (_name, header) => {
    const { server } = await app();
    const res = await request(server).get('/whoami').set('authorization', header);
    expect([400, 401]).toContain(res.status);
    expect(res.body.reason).toEqual(expect.any(String));
  });

  it('authorizes a declared route and sets the authorized action on req.aap', async () => {
    const { as, server } = await app();
    const token = await as.mint({ capabilities: [{ action: 'search.web' }] });
    const res = await request(server).get('/v1/search?url=https://en.wikipedia.org/wiki/OAuth').set('authorization', bearer(token));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ action: 'search.web', capability: 'search.web' });
  });

  it('denies a declared route whose action no capability grants (403)', async () => {
    const { as, server } = await app();
    const token = await as.mint({ capabilities: [{ action: 'search.web' }] });
    const res = await request(server).post('/v1/publish').set('authorization', bearer(token));
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: 'aap_invalid_capability', reason: 'capability_missing' });
  });

  it('sends the decision headers on allowed responses (RateLimit) and 429 with Retry-After once exhausted', async () => {
    const { as, server } = await app();
    const token = bearer(await as.mint({ capabilities: [{ action: 'search.web', constraints: { max_requests_per_minute: 2 } }] }));
    const first = await request(server).get('/v1/search').set('authorization', token);
    expect(first.status).toBe(200);
    expect(first.headers['ratelimit-policy']).toBe('"minute";q=2;w=60');
    expect(first.headers['ratelimit']).toMatch(/^"minute";r=1;t=\d+$/);
    expect((await request(server).get('/v1/search').set('authorization', token)).headers['ratelimit']).toMatch(/;r=0;/);
    const limited = await request(server).get('/v1/search').set('authorization', token);
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ reason: 'rate_limited' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('refuses an ambiguous target (a repeated query parameter) instead of guessing', async () => {
    const { as, server, events } = await app();
    const token = await as.mint();
    const res = await request(server).get('/v1/search?url=https://a.example&url=https://b.example').set('authorization', bearer(token));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_request', reason: 'request_invalid' });
    expect(events.at(-1)).toMatchObject({ decision: 'deny', reason: 'request_invalid' });
  });

  it('turns an exception in the guard path into an audited 503, not a 500', async () => {
    const { as, server, events } = await app();
    const res = await request(server).get('/boom').set('authorization', bearer(await as.mint()));
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: 'temporarily_unavailable', reason: 'internal_error' });
    expect(JSON.stringify(res.body)).not.toContain('app bug');
    expect(events.at(-1)).toMatchObject({ reason: 'internal_error', detail: { fault: 'app bug' } });
  });

  it('works per route without the global middleware (guard.check)', async () => {
    const { as, guard } = await setup();
    closers.push(() => guard.close());
    const aap = aapGuard({ guard });
    const server = express();
    server.get('/v1/search', aap.require('search.web'), (req, res) => {
      res.json({ agent: req.aap?.claims.agent.id });
    });
    const ok = await request(server).get('/v1/search').set('authorization', bearer(await as.mint({ agentId: 'a-1' })));
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ agent: 'a-1' });
    const missing = await request(server).get('/v1/search');
    expect(missing.status).toBe(401);
  });

  it('binds an oversight hold to the body digest a body parser left on the request', async () => {
    const { as, guard } = await setup();
    closers.push(() => guard.close());
    const aap = aapGuard({ guard });
    const server = express();
    server.use(express.json({ verify: (req, _res, bytes) => void ((req as unknown as Record<symbol, string>)[BODY_DIGEST] = bodyDigest(bytes)) }));
    server.use(aap);
    server.post('/v1/publish', aap.require('cms.publish'), (req, res) => void res.json({ published: req.body.title }));
    const token = bearer(await as.mint({ capabilities: [{ action: 'cms.publish' }], sections: { oversight: { requires_human_approval_for: ['cms.publish'] } } }));
    const post = (title: string, hold?: string) => request(server).post('/v1/publish').set('authorization', token).set(hold ? { 'aap-hold-id': hold } : {}).send({ title });
    const id = (await post('a')).body.hold_id as string;
    expect((await guard.holds.get(id))?.bodyDigest).toBe(bodyDigest(JSON.stringify({ title: 'a' })));
    await guard.holds.approve(id, { by: 'alice' });
    expect((await post('b', id)).body).toMatchObject({ reason: 'hold_mismatch' });
    expect((await post('a', id)).body).toEqual({ published: 'a' });
  });

  it('compiles a declaration once and rejects a bad action at startup', async () => {
    const { guard } = await setup();
    closers.push(() => guard.close());
    const aap = aapGuard({ guard });
    expect(() => aap.require('not an action!')).toThrow(TypeError);
  });

  it('rejects a bad adapter option at startup', async () => {
    const { guard } = await setup();
    closers.push(() => guard.close());
    expect(() => aapGuard({ guard, undeclared: 'maybe' as 'deny' })).toThrow(/undeclared/);
  });
});
