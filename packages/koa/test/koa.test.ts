import { BODY_DIGEST, bodyDigest, type Guard } from '@aap-guard/core';
import { aapGuard } from '@aap-guard/koa';
import Router from '@koa/router';
import Koa from 'koa';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, setup } from './helpers.js';

describe('@aap-guard/koa', () => {
  const guards: Guard[] = [];
  afterEach(async () => {
    await Promise.all(guards.splice(0).map((guard) => guard.close()));
  });

  async function build(adapter: { undeclared?: 'allow' | 'deny'; global?: boolean } = {}) {
    const { as, guard, events } = await setup();
    guards.push(guard);
    const aap = aapGuard({ guard, undeclared: adapter.undeclared });
    const app = new Koa();
    app.silent = true; // the /crash case logs its (expected) error otherwise
    const router = new Router();
    const ran: string[] = [];
    router.get('/whoami', (ctx) => {
      ran.push('whoami');
      ctx.body = { agent: ctx.state.aap?.claims.agent.id, scheme: ctx.state.aap?.scheme };
    });
    router.get('/v1/search', aap.require('search.web', { target: (ctx) => ctx.query.url }), (ctx) => {
      ctx.body = { action: ctx.state.aap?.action, capability: ctx.state.aap?.capability?.action };
    });
    router.post('/v1/publish', aap.require('cms.publish'), (ctx) => {
      ran.push('publish');
      ctx.body = { published: true };
    });
    router.get('/boom', aap.require('search.web', { target: () => { throw new Error('app bug'); } }), (ctx) => {
      ctx.body = {};
    });
    router.get('/crash', aap.require('search.web'), () => {
      throw new Error('handler bug'); // the app's own error: Koa's handling, not the guard's
    });
    if (adapter.global !== false) app.use(aap);
    app.use(aap.router(router));
    return { as, events, server: app.callback(), ran };
  }

  it('sets ctx.state.aap to the verified principal on allow', async () => {
    const { as, server } = await build();
    const res = await request(server).get('/whoami').set('authorization', bearer(await as.mint({ agentId: 'agent-x' })));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ agent: 'agent-x', scheme: 'Bearer' });
  });

  it('denies a request without credentials with 401, a challenge and a privacy-preserving body', async () => {
    const { server } = await build();
    const res = await request(server).get('/whoami');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({ error: 'invalid_token', error_description: expect.any(String), reason: 'credentials_missing' });
  });

  it.each([
    ['a garbage token', 'Bearer not.a.jwt'],
    ['an empty scheme', 'Bearer'],
    ['a large token', `Bearer ${'a'.repeat(15_000)}`],
    ['an unknown scheme', 'Basic dXNlcjpwYXNz'],
    ['junk base64url', 'Bearer e30.e30.AAAA'],
  ])('answers %s with a 4xx deny, never a 500', async (_name, header) => {
    const { server } = await build();
    const res = await request(server).get('/v1/search').set('authorization', header);
    expect([400, 401]).toContain(res.status);
    expect(res.body.reason).toEqual(expect.any(String));
  });

  it('authorizes a declared route and sets the authorized action on ctx.state.aap', async () => {
    const { as, server } = await build();
    const token = await as.mint({ capabilities: [{ action: 'search.web' }] });
    const res = await request(server).get('/v1/search?url=https://en.wikipedia.org/wiki/OAuth').set('authorization', bearer(token));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ action: 'search.web', capability: 'search.web' });
  });

  it('denies a declared action no capability grants (403) without running the handler', async () => {
    const { as, server, ran } = await build();
    const token = await as.mint({ capabilities: [{ action: 'search.web' }] });
    const res = await request(server).post('/v1/publish').set('authorization', bearer(token));
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: 'aap_invalid_capability', reason: 'capability_missing' });
    expect(ran).toEqual([]);
  });

  it('sends the decision headers on allowed responses (RateLimit) and 429 with Retry-After once exhausted', async () => {
    const { as, server } = await build();
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
    const { as, server } = await build();
    const res = await request(server).get('/v1/search?url=https://a.example&url=https://b.example').set('authorization', bearer(await as.mint()));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_request', reason: 'request_invalid' });
  });

  it('turns an exception in the guard path into an audited 503, not a 500', async () => {
    const { as, server, events } = await build();
    const res = await request(server).get('/boom').set('authorization', bearer(await as.mint()));
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: 'temporarily_unavailable', reason: 'internal_error' });
    expect(JSON.stringify(res.body)).not.toContain('app bug');
    expect(events.at(-1)).toMatchObject({ reason: 'internal_error', detail: { fault: 'app bug' } });
  });

  it("leaves the app's own handler errors to Koa (the guard does not swallow them)", async () => {
    const { as, server } = await build();
    const res = await request(server).get('/crash').set('authorization', bearer(await as.mint()));
    expect(res.status).toBe(500);
  });

  it("denies an undeclared route with undeclared: 'deny' (403 route_undeclared) before its handler", async () => {
    const { as, server, ran, events } = await build({ undeclared: 'deny' });
    const res = await request(server).get('/whoami').set('authorization', bearer(await as.mint()));
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: 'aap_invalid_capability', reason: 'route_undeclared' });
    expect(ran).toEqual([]);
    expect(events.at(-1)).toMatchObject({ decision: 'deny', reason: 'route_undeclared' });
    const declared = await request(server).get('/v1/search').set('authorization', bearer(await as.mint({ capabilities: [{ action: 'search.web' }] })));
    expect(declared.status).toBe(200);
    expect((await request(server).get('/nope').set('authorization', bearer(await as.mint()))).status).toBe(404);
  });

  it('deny mode without the global middleware still authenticates first (401 before 403)', async () => {
    const { as, server } = await build({ undeclared: 'deny', global: false });
    expect((await request(server).get('/whoami')).status).toBe(401);
    expect((await request(server).get('/whoami').set('authorization', bearer(await as.mint()))).status).toBe(403);
  });

  it('works per route without the global middleware (guard.check)', async () => {
    const { as, server } = await build({ global: false });
    const token = await as.mint({ capabilities: [{ action: 'search.web' }] });
    expect((await request(server).get('/v1/search').set('authorization', bearer(token))).status).toBe(200);
    expect((await request(server).get('/v1/search')).status).toBe(401);
    // undeclared and no global middleware: the guard never saw the request
    expect((await request(server).get('/whoami')).status).toBe(200);
  });

  it('honours router.use(aap.require(...)) as a declaration of every route below it', async () => {
    const { as, guard } = await setup();
    guards.push(guard);
    const aap = aapGuard({ guard, undeclared: 'deny' });
    const router = new Router();
    router.use(aap.require('search.web'));
    router.get('/a', (ctx) => {
      ctx.body = { action: ctx.state.aap?.action };
    });
    const app = new Koa().use(aap).use(aap.router(router));
    const res = await request(app.callback()).get('/a').set('authorization', bearer(await as.mint({ capabilities: [{ action: 'search.web' }] })));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ action: 'search.web' });
  });

  it('resolves declarations of nested routers and prefixes in deny mode', async () => {
    const { as, guard } = await setup();
    guards.push(guard);
    const aap = aapGuard({ guard, undeclared: 'deny' });
    const child = new Router();
    child.get('/declared/:id', aap.require('search.web'), (ctx) => {
      ctx.body = { id: ctx.params.id, action: ctx.state.aap?.action };
    });
    child.get('/plain', (ctx) => {
      ctx.body = { ran: true };
    });
    const parent = new Router({ prefix: '/v2' });
    parent.use('/api', child.routes());
    const app = new Koa().use(aap).use(aap.router(parent));
    const token = bearer(await as.mint({ capabilities: [{ action: 'search.web' }] }));
    const ok = await request(app.callback()).get('/v2/api/declared/7').set('authorization', token);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ id: '7', action: 'search.web' });
    expect((await request(app.callback()).head('/v2/api/declared/7').set('authorization', token)).status).toBe(200);
    expect((await request(app.callback()).get('/v2/api/plain').set('authorization', token)).status).toBe(403);
  });

  it('binds an oversight hold to the body digest a body parser left on ctx.req', async () => {
    const { as, guard } = await setup();
    guards.push(guard);
    const aap = aapGuard({ guard });
    const router = new Router();
    router.post('/v1/publish', aap.require('cms.publish'), (ctx) => {
      ctx.body = { published: (ctx.request as { body?: { title?: string } }).body?.title };
    });
    const app = new Koa();
    app.use(async (ctx, next) => {
      const parts: Buffer[] = [];
      for await (const chunk of ctx.req) parts.push(chunk as Buffer);
      const bytes = Buffer.concat(parts);
      (ctx.req as unknown as Record<symbol, string>)[BODY_DIGEST] = bodyDigest(bytes);
      (ctx.request as { body?: unknown }).body = JSON.parse(bytes.toString('utf8'));
      await next();
    });
    app.use(aap).use(aap.router(router));
    const token = bearer(await as.mint({ capabilities: [{ action: 'cms.publish' }], sections: { oversight: { requires_human_approval_for: ['cms.publish'] } } }));
    const post = (title: string, hold?: string) => request(app.callback()).post('/v1/publish').set('authorization', token).set(hold ? { 'aap-hold-id': hold } : {}).send({ title });
    const id = (await post('a')).body.hold_id as string;
    expect((await guard.holds.get(id))?.bodyDigest).toBe(bodyDigest(JSON.stringify({ title: 'a' })));
    await guard.holds.approve(id, { by: 'alice' });
    expect((await post('b', id)).body).toMatchObject({ reason: 'hold_mismatch' });
    expect((await post('a', id)).body).toEqual({ published: 'a' });
  });

  it('throws a TypeError at declaration time for a bad action', async () => {
    const { guard } = await setup();
    guards.push(guard);
    expect(() => aapGuard({ guard }).require('not an action!')).toThrow(TypeError);
  });
});
