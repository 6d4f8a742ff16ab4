import { aapGuard } from '@aap-guard/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, rawRequest, setup } from './helpers.js';

describe('@aap-guard/fastify', () => {
  const apps: FastifyInstance[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  async function build(adapter: { undeclared?: 'allow' | 'deny' } = {}) {
    const { as, guard, events } = await setup();
    const app = Fastify();
    apps.push(app);
    app.addHook('onClose', async () => guard.close());
    await app.register(aapGuard, { guard, ...adapter });
    const ran: string[] = [];
    app.get('/whoami', async (request) => {
      ran.push('whoami');
      return { agent: request.aap?.claims.agent.id, action: request.aap?.action ?? null };
    });
    app.get('/health', { config: { aap: false } }, async (request) => ({ status: 'ok', aap: request.aap }));
    app.get(
      '/v1/search',
      { config: { aap: { action: 'search.web', target: (request) => (request.query as { url?: unknown }).url } } },
      async (request) => ({ action: request.aap?.action, capability: request.aap?.capability?.action }),
    );
    app.post('/v1/publish', { config: { aap: { action: 'cms.publish' } } }, async () => {
      ran.push('publish');
      return { published: true };
    });
    app.get('/boom', { config: { aap: { action: 'search.web', target: () => { throw new Error('app bug'); } } } }, async () => ({}));
    await app.ready();
    return { as, events, app, ran };
  }

  it('authorizes a declared route in onRequest and decorates request.aap', async () => {
    const { as, app } = await build();
    const token = await as.mint({ capabilities: [{ action: 'search.web' }] });
    const res = await app.inject({ url: '/v1/search?url=https://en.wikipedia.org/wiki/OAuth', headers: { authorization: bearer(token) } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ action: 'search.web', capability: 'search.web' });
  });

  it('denies an undeclared route by default with 403 route_undeclared, before the handler', async () => {
    const { as, app, ran, events } = await build();
    const res = await app.inject({ url: '/whoami', headers: { authorization: bearer(await as.mint()) } });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ error: 'aap_invalid_capability', error_description: expect.any(String), reason: 'route_undeclared' });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(ran).toEqual([]);
    expect(events.at(-1)).toMatchObject({ decision: 'deny', reason: 'route_undeclared' });
  });

  it('authenticates an undeclared route before refusing it (401 without a token)', async () => {
    const { app } = await build();
    const res = await app.inject({ url: '/whoami' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.json()).toMatchObject({ error: 'invalid_token', reason: 'credentials_missing' });
  });

  it("allows an undeclared route, authenticated only, with undeclared: 'allow'", async () => {
    const { as, app } = await build({ undeclared: 'allow' });
    const ok = await app.inject({ url: '/whoami', headers: { authorization: bearer(await as.mint({ agentId: 'agent-x' })) } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ agent: 'agent-x', action: null });
    const anonymous = await app.inject({ url: '/whoami' });
    expect(anonymous.statusCode).toBe(401);
  });

  it('lets an opted-out route (aap: false) through without credentials; request.aap stays null', async () => {
    const { app } = await build();
    const res = await app.inject({ url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', aap: null });
  });

  it('denies a declared action no capability grants (403) without running the handler', async () => {
    const { as, app, ran } = await build();
    const token = await as.mint({ capabilities: [{ action: 'search.web' }] });
    const res = await app.inject({ method: 'POST', url: '/v1/publish', headers: { authorization: bearer(token) } });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ error: 'aap_invalid_capability', reason: 'capability_missing' });
    expect(ran).toEqual([]);
  });

  it.each([
    ['a garbage token', 'Bearer not.a.jwt'],
    ['an empty scheme', 'Bearer'],
    ['a large token', `Bearer ${'a'.repeat(15_000)}`],
    ['an unknown scheme', 'Basic dXNlcjpwYXNz'],
    ['junk base64url', 'Bearer e30.e30.AAAA'],
  ])('answers %s with a 4xx deny, never a 500', async (_name, header) => {
    const { app } = await build();
    const res = await app.inject({ url: '/v1/search', headers: { authorization: header } });
    expect([400, 401]).toContain(res.statusCode);
    expect(res.json().reason).toEqual(expect.any(String));
  });

  it('sends the decision headers on allowed responses (RateLimit) and 429 with Retry-After once exhausted', async () => {
    const { as, app } = await build();
    const token = bearer(await as.mint({ capabilities: [{ action: 'search.web', constraints: { max_requests_per_minute: 2 } }] }));
    const first = await app.inject({ url: '/v1/search', headers: { authorization: token } });
    expect(first.statusCode).toBe(200);
    expect(first.headers['ratelimit-policy']).toBe('"minute";q=2;w=60');
    expect(first.headers['ratelimit']).toMatch(/^"minute";r=1;t=\d+$/);
    expect((await app.inject({ url: '/v1/search', headers: { authorization: token } })).headers['ratelimit']).toMatch(/;r=0;/);
    const limited = await app.inject({ url: '/v1/search', headers: { authorization: token } });
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ reason: 'rate_limited' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('refuses an ambiguous target (a repeated query parameter) with 400 instead of guessing', async () => {
    const { as, app } = await build();
    const res = await app.inject({ url: '/v1/search?url=https://a.example&url=https://b.example', headers: { authorization: bearer(await as.mint()) } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_request', reason: 'request_invalid' });
  });

  it('turns an exception in the guard path into an audited 503, not a 500', async () => {
    const { as, app, events } = await build();
    const res = await app.inject({ url: '/boom', headers: { authorization: bearer(await as.mint()) } });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ error: 'temporarily_unavailable', reason: 'internal_error' });
    expect(res.body).not.toContain('app bug');
    expect(events.at(-1)).toMatchObject({ reason: 'internal_error', detail: { fault: 'app bug' } });
  });

  it('throws a TypeError at registration for a bad declaration', async () => {
    const { guard } = await setup();
    const app = Fastify();
    apps.push(app);
    await app.register(aapGuard, { guard });
    expect(() => app.get('/x', { config: { aap: { action: 'not an action!' } } }, async () => ({}))).toThrow(TypeError);
  });

  it('fails closed on a route registered before the plugin (it never saw the declaration)', async () => {
    const { as, guard } = await setup();
    const app = Fastify();
    apps.push(app);
    app.get('/early', { config: { aap: { action: 'search.web' } } }, async () => ({ ran: true }));
    await app.register(aapGuard, { guard });
    const res = await app.inject({ url: '/early', headers: { authorization: bearer(await as.mint()) } });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ reason: 'route_undeclared' });
  });

  it('answers unknown paths with 404 after authenticating, and 401 without a token', async () => {
    const { as, app } = await build();
    expect((await app.inject({ url: '/nope', headers: { authorization: bearer(await as.mint()) } })).statusCode).toBe(404);
    expect((await app.inject({ url: '/nope' })).statusCode).toBe(401);
  });

  it('guards HEAD on a GET route and routes of encapsulated plugins registered after it', async () => {
    const { as, guard } = await setup();
    const app = Fastify();
    apps.push(app);
    await app.register(aapGuard, { guard });
    await app.register(
      async (child) => {
        child.get('/declared', { config: { aap: { action: 'search.web' } } }, async (request) => ({ agent: request.aap?.claims.agent.id }));
        child.get('/plain', async () => ({ ran: true }));
      },
      { prefix: '/api' },
    );
    const token = bearer(await as.mint({ agentId: 'agent-c' }));
    const ok = await app.inject({ url: '/api/declared', headers: { authorization: token } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ agent: 'agent-c' });
    expect((await app.inject({ method: 'HEAD', url: '/api/declared' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'HEAD', url: '/api/declared', headers: { authorization: token } })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/plain', headers: { authorization: token } })).statusCode).toBe(403);
    expect((await app.inject({ method: 'HEAD', url: '/api/plain', headers: { authorization: token } })).statusCode).toBe(403);
  });

  it('serves a real listening server: allowed and denied requests over HTTP', async () => {
    const { as, app } = await build();
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const port = Number(new URL(address).port);
    const token = await as.mint({ capabilities: [{ action: 'search.web' }] });
    const ok = await rawRequest(port, { path: '/v1/search?url=https://en.wikipedia.org/', headers: { authorization: bearer(token) } });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body.toString())).toEqual({ action: 'search.web', capability: 'search.web' });
    const denied = await rawRequest(port, { method: 'POST', path: '/v1/publish', headers: { authorization: bearer(token) } });
    expect(denied.status).toBe(403);
  });
});
