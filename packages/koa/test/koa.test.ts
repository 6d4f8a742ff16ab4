import { BODY_DIGEST, bodyDigest, type Guard } from '@aap-guard/core';
import { aapGuard } from '@aap-guard/koa';
import Router from '@koa/router';
import request from 'supertest';
import { afterEach, expect, it } from 'vitest';
import { bearer, expectHoldBoundToBody, heldPublishToken, setup } from '../../../test/adapters/kit.js';
import { forEachKoa } from './helpers.js';

// Koa-only behaviour, on Koa 3 and on Koa 2 (see helpers.ts): @koa/router integration, the app
// without the global middleware, Koa's own error handling. What every adapter does is in
// test/adapters, run on both Koa majors too.

forEachKoa('@aap-guard/koa', (Koa) => {
  const guards: Guard[] = [];
  afterEach(async () => {
    await Promise.all(guards.splice(0).map((guard) => guard.close()));
  });

  async function build(adapter: { undeclared?: 'allow' | 'deny'; global?: boolean } = {}) {
    const { as, guard } = await setup();
    guards.push(guard);
    const aap = aapGuard({ guard, undeclared: adapter.undeclared });
    const app = new Koa();
    app.silent = true; // the /crash case logs its (expected) error otherwise
    const router = new Router();
    router.get('/whoami', (ctx) => {
      ctx.body = { agent: ctx.state.aap?.claims.agent.id };
    });
    router.get('/v1/search', aap.require('search.web'), (ctx) => {
      ctx.body = { action: ctx.state.aap?.action };
    });
    router.get('/crash', aap.require('search.web'), () => {
      throw new Error('handler bug'); // the app's own error: Koa's handling, not the guard's
    });
    if (adapter.global !== false) app.use(aap);
    app.use(aap.router(router));
    return { as, guard, server: app.callback() };
  }

  it("leaves the app's own handler errors to Koa (the guard does not swallow them)", async () => {
    const { as, server } = await build();
    const res = await request(server)
      .get('/crash')
      .set('authorization', bearer(await as.mint()));
    expect(res.status).toBe(500);
  });

  it('deny mode without the global middleware still authenticates first (401 before 403)', async () => {
    const { as, server } = await build({ undeclared: 'deny', global: false });
    expect((await request(server).get('/whoami')).status).toBe(401);
    expect(
      (
        await request(server)
          .get('/whoami')
          .set('authorization', bearer(await as.mint()))
      ).status,
    ).toBe(403);
  });

  it('works per route without the global middleware (guard.check)', async () => {
    const { as, server } = await build({ global: false });
    const token = await as.mint({ capabilities: [{ action: 'search.web' }] });
    expect((await request(server).get('/v1/search').set('authorization', bearer(token))).status).toBe(200);
    expect((await request(server).get('/v1/search')).status).toBe(401);
    // undeclared, no global middleware, the router mounted with aap.router() in the default deny mode:
    // refused, after authentication
    expect((await request(server).get('/whoami')).status).toBe(401);
    expect((await request(server).get('/whoami').set('authorization', bearer(token))).status).toBe(403);
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
    const res = await request(app.callback())
      .get('/a')
      .set('authorization', bearer(await as.mint({ capabilities: [{ action: 'search.web' }] })));
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

  it('deny mode follows routes added to the router after the first requests (the match cache starts over)', async () => {
    const { as, guard } = await setup();
    guards.push(guard);
    const aap = aapGuard({ guard, undeclared: 'deny' });
    const router = new Router();
    router.get('/a', aap.require('search.web'), (ctx) => {
      ctx.body = 'a';
    });
    const app = new Koa().use(aap).use(aap.router(router));
    const token = bearer(await as.mint({ capabilities: [{ action: 'search.web' }] }));
    expect((await request(app.callback()).get('/late').set('authorization', token)).status).toBe(404);
    expect((await request(app.callback()).get('/a').set('authorization', token)).status).toBe(200);
    let ran = false;
    router.get('/late', (ctx) => {
      ran = true;
      ctx.body = 'late';
    });
    expect((await request(app.callback()).get('/late').set('authorization', token)).status).toBe(403);
    expect(ran).toBe(false);
    // router.param() inserts its middleware into existing layers: the declaration is no longer first
    router.param('id', (_id, _ctx, next) => next());
    router.get('/item/:id', aap.require('search.web'), (ctx) => {
      ctx.body = ctx.params.id;
    });
    expect((await request(app.callback()).get('/item/7').set('authorization', token)).status).toBe(200);
  });

  it('a host-specific router is matched per Host header, cached or not', async () => {
    const { as, guard } = await setup();
    guards.push(guard);
    const aap = aapGuard({ guard, undeclared: 'deny' });
    const router = new Router({ host: 'api.example.com' });
    router.get('/plain', (ctx) => {
      ctx.body = 'plain';
    });
    const app = new Koa().use(aap).use(aap.router(router));
    const token = bearer(await as.mint({ capabilities: [{ action: 'search.web' }] }));
    for (let i = 0; i < 2; i += 1) {
      expect(
        (await request(app.callback()).get('/plain').set('host', 'api.example.com').set('authorization', token)).status,
      ).toBe(403);
      expect(
        (await request(app.callback()).get('/plain').set('host', 'other.example.com').set('authorization', token))
          .status,
      ).toBe(404);
    }
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
    const token = await heldPublishToken(as);
    await expectHoldBoundToBody(guard, (title, hold) =>
      request(app.callback())
        .post('/v1/publish')
        .set('authorization', token)
        .set(hold ? { 'aap-hold-id': hold } : {})
        .send({ title }),
    );
  });
});
