import { aapGuard } from '@aap-guard/express';
import express from 'express';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, setup } from './helpers.js';

// Express 5 only: Express 4 is not installed in this workspace (the adapter supports both; see
// declared-routes.ts for the version-specific router access).

describe('@aap-guard/express: app.use(aap)', () => {
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
