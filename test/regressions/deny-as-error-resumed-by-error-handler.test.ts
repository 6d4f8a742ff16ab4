/**
 * Regression (issue 23, defect 8): `denyAs: 'error'` and an Express error handler that calls `next()`
 * resumed routing: the guard handed its deny to `next(err)`, the app's error handler called `next()`, and
 * the routes after it ran — an undeclared one with no token or a forged one, a declared one after a second,
 * independent check of a request this guard had already refused. A denied request stays denied whatever the
 * app's error handler does: every later route refuses it again with the same decision (no second check,
 * no second audit event). Koa and Fastify cannot resume a request their error handling took; they are
 * pinned here too.
 */
import { createServer } from 'node:http';
import type { AuditEvent, Guard } from '@aap-guard/core';
import { AapDenyError, aapGuard as expressGuard } from '@aap-guard/express';
import { aapGuard as fastifyGuard } from '@aap-guard/fastify';
import { aapGuard as koaGuard } from '@aap-guard/koa';
import Router from '@koa/router';
import type express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { forEachExpress } from '../../packages/express/test/helpers.js';
import { bearer, listen, send, useAuditedIssuer, type Listening } from '../adapters/kit.js';

const fixture = useAuditedIssuer();

/** What the app saw: handlers that ran, denies its error handlers got, the guard's audit events. */
interface Seen {
  readonly ran: string[];
  readonly errors: string[];
  readonly events: AuditEvent[];
}
const seen = (): Seen => ({ ran: [], errors: [], events: [] });

/**
 * Express: the guard app-wide; `GET /v1/search` declared; then the app's error handler, which notes the
 * deny and calls `next()`; then `GET /v1/export` (undeclared) and `GET /v1/search` again, declared, and a
 * last error handler that answers `{ again: reason }`.
 */
function expressApp(framework: typeof express, s: Seen): { app: express.Express; guard: Guard } {
  const aap = expressGuard({ ...fixture.options(s.events), denyAs: 'error' });
  const app = framework();
  app.use(aap);
  app.get('/v1/search', aap.require('search.web'), (_req, res) => void (s.ran.push('search'), res.json({ ok: true })));
  app.use((error: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (!(error instanceof AapDenyError)) return next(error);
    s.errors.push(error.reason);
    res.status(error.status);
    next(); // "handled": routing goes on
  });
  app.get('/v1/export', (_req, res) => void (s.ran.push('export'), res.json({ exported: true })));
  app.get(
    '/v1/search',
    aap.require('search.web'),
    (_req, res) => void (s.ran.push('search again'), res.json({ ok: true })),
  );
  app.use((error: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (!(error instanceof AapDenyError)) return next(error);
    s.errors.push(`again:${error.reason}`);
    res.status(error.status).json({ again: error.reason });
  });
  return { app, guard: aap.guard };
}

forEachExpress('a deny handed to an Express error handler that calls next()', (framework) => {
  let running: Listening | undefined;
  afterEach(() => running?.close());

  const start = async (s: Seen) => {
    const { app, guard } = expressApp(framework, s);
    running = await listen(createServer(app), guard);
    return running.url;
  };

  it.each([
    ['no token', undefined],
    ['a forged token', 'Bearer eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln'],
  ])(
    'an undeclared route never runs after the deny (%s): the same deny is raised again',
    async (_label, authorization) => {
      const s = seen();
      const url = await start(s);
      const res = await send(url, { path: '/v1/export', headers: authorization ? { authorization } : {} });
      expect(res.status).toBe(401);
      expect(s.ran).toEqual([]);
      const reason = s.errors[0];
      expect(s.errors).toEqual([reason, `again:${reason}`]);
      expect(res.json).toEqual({ again: reason });
      expect(s.events).toHaveLength(1);
    },
  );

  it('an undeclared route refused for a valid token (route_undeclared) never runs either', async () => {
    const s = seen();
    const url = await start(s);
    const token = bearer(await fixture.as.mint({ capabilities: [{ action: 'search.web' }] }));
    const res = await send(url, { path: '/v1/export', headers: { authorization: token } });
    expect([res.status, res.json]).toEqual([403, { again: 'route_undeclared' }]);
    expect(s.ran).toEqual([]);
  });

  it('a declared route after the error handler refuses with the same decision: no second check, one audit event', async () => {
    const s = seen();
    const url = await start(s);
    const token = bearer(await fixture.as.mint({ capabilities: [{ action: 'cms.publish' }] }));
    const res = await send(url, { path: '/v1/search', headers: { authorization: token } });
    expect([res.status, res.json]).toEqual([403, { again: 'capability_missing' }]);
    expect(s.errors).toEqual(['capability_missing', 'again:capability_missing']);
    expect(s.ran).toEqual([]);
    expect(s.events.map((event) => event.reason)).toEqual(['capability_missing']);
  });
});

describe('Koa and Fastify: their error handling never resumes a denied request', () => {
  let running: Listening | undefined;
  afterEach(() => running?.close());

  it('Koa: an error middleware that swallows the deny does not let the route run', async () => {
    const s = seen();
    const aap = koaGuard({ ...fixture.options(s.events), denyAs: 'error' });
    const router = new Router();
    router.get('/v1/search', aap.require('search.web'), (ctx) => void (s.ran.push('search'), (ctx.body = {})));
    router.get('/v1/export', (ctx) => void (s.ran.push('export'), (ctx.body = {})));
    const app = new Koa();
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch (error) {
        if (!(error instanceof AapDenyError)) throw error;
        s.errors.push(error.reason);
        ctx.status = error.status; // swallowed: "handled"
      }
    });
    app.use(aap).use(router.routes());
    running = await listen(createServer(app.callback()), aap.guard);
    expect((await send(running.url, { path: '/v1/export' })).status).toBe(401);
    const token = bearer(await fixture.as.mint({ capabilities: [{ action: 'cms.publish' }] }));
    expect((await send(running.url, { path: '/v1/export', headers: { authorization: token } })).status).toBe(403);
    expect((await send(running.url, { path: '/v1/search', headers: { authorization: token } })).status).toBe(403);
    expect(s.errors).toEqual(['credentials_missing', 'route_undeclared', 'capability_missing']);
    expect(s.ran).toEqual([]);
  });

  it('Fastify: an error handler that answers the deny does not let the route run', async () => {
    const s = seen();
    const app = Fastify();
    await app.register(fastifyGuard, { ...fixture.options(s.events), denyAs: 'error' });
    app.setErrorHandler(async (error, _request, reply) => {
      s.errors.push((error as AapDenyError).reason);
      return reply.code((error as AapDenyError).status).send({ handled: true });
    });
    app.get('/v1/search', { config: { aap: { action: 'search.web' } } }, async () => (s.ran.push('search'), {}));
    app.get('/v1/export', async () => (s.ran.push('export'), {}));
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    running = { url, close: () => app.close() };
    expect((await send(url, { path: '/v1/export' })).status).toBe(401);
    const token = bearer(await fixture.as.mint({ capabilities: [{ action: 'cms.publish' }] }));
    expect((await send(url, { path: '/v1/export', headers: { authorization: token } })).status).toBe(403);
    expect((await send(url, { path: '/v1/search', headers: { authorization: token } })).status).toBe(403);
    expect(s.errors).toEqual(['credentials_missing', 'route_undeclared', 'capability_missing']);
    expect(s.ran).toEqual([]);
  });
});
