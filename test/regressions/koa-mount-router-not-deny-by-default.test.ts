/**
 * Regression (issue 23, defect 3): Koa routers behind koa-mount were not deny-by-default. An agent that may
 * only search called an undeclared route of a router mounted with `koa-mount` (`app.use(aap)` then
 * `app.use(mount('/v1', router.routes()))`): it ran. The app-wide middleware cannot see into the mount
 * wrapper, so it found no route and let the request on; and the documented remedy, `aap.router(router)`,
 * did nothing once `app.use(aap)` ran (it took the principal on `ctx.state` for "resolved already"). An
 * unresolvable route must fail closed: refused like an undeclared one — on Koa 3 and Koa 2.
 */
import { createServer } from 'node:http';
import type { AuditEvent } from '@aap-guard/core';
import { AapDenyError, aapGuard } from '@aap-guard/koa';
import { dpopProof } from '@aap-guard/testing';
import Router from '@koa/router';
import type Koa from 'koa';
import mount from 'koa-mount';
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, listen, send, useAuditedIssuer, type Listening } from '../adapters/kit.js';
import { forEachKoa } from '../../packages/koa/test/helpers.js';

const fixture = useAuditedIssuer();

/** The API router: `GET /search` declared `search.web`, `GET /export` declared by nobody. */
function api(aap: ReturnType<typeof aapGuard>, ran: string[]): Router {
  const router = new Router();
  router.get(
    '/search',
    aap.require('search.web'),
    (ctx) => void (ran.push('search'), (ctx.body = { action: ctx.state.aap?.action })),
  );
  router.get('/export', (ctx) => void (ran.push('export'), (ctx.body = { exported: true })));
  return router;
}

/** How the app mounts the API router under `/v1` (a Koa constructor, the guard, the router). */
type Running = Pick<Koa, 'callback' | 'silent'>;
const setups: Record<string, (App: typeof Koa, aap: ReturnType<typeof aapGuard>, router: Router) => Running> = {
  'app.use(aap) + mount(router.routes())': (App, aap, router) => new App().use(aap).use(mount('/v1', router.routes())),
  'app.use(aap) + mount(aap.router(router))': (App, aap, router) =>
    new App().use(aap).use(mount('/v1', aap.router(router))),
  'mount(aap.router(router)) alone': (App, aap, router) => new App().use(mount('/v1', aap.router(router))),
  'app.use(aap) + mount(a Koa app that uses the router)': (App, aap, router) =>
    new App().use(aap).use(mount('/v1', new App().use(router.routes()))),
};

forEachKoa('a router behind koa-mount', (App) => {
  describe.each(Object.keys(setups))('%s', (name) => {
    let running: Listening | undefined;
    afterEach(() => running?.close());

    const start = async (events: AuditEvent[], ran: string[]) => {
      const aap = aapGuard(fixture.options(events));
      const app = setups[name]!(App, aap, api(aap, ran));
      app.silent = true;
      running = await listen(createServer(app.callback()), aap.guard);
      return running;
    };

    it('refuses the undeclared route (403 route_undeclared) to an agent that may only search; its handler never runs', async () => {
      const ran: string[] = [];
      const { url } = await start([], ran);
      const token = bearer(await fixture.as.mint({ capabilities: [{ action: 'search.web' }] }));
      const refused = await send(url, { path: '/v1/export', headers: { authorization: token } });
      expect([refused.status, refused.json?.reason]).toEqual([403, 'route_undeclared']);
      expect((await send(url, { path: '/v1/export' })).status).toBe(401);
      expect(ran).toEqual([]);
    });

    it('admits the declared route with a DPoP proof in one pipeline run (one audit event, the proof consumed once)', async () => {
      const events: AuditEvent[] = [];
      const ran: string[] = [];
      const { url } = await start(events, ran);
      const token = await fixture.as.mint({ jkt: fixture.key.jkt, capabilities: [{ action: 'search.web' }] });
      const proof = await dpopProof({ key: fixture.key, method: 'GET', url: `${url}/v1/search`, accessToken: token });
      const admitted = await send(url, {
        path: '/v1/search',
        headers: { authorization: `DPoP ${token}`, dpop: proof },
      });
      expect([admitted.status, admitted.json]).toEqual([200, { action: 'search.web' }]);
      expect(events.map((event) => [event.decision, event.action])).toEqual([['allow', 'search.web']]);
      expect(ran).toEqual(['search']);
    });

    it('answers a path no route matches with 404, not a refusal', async () => {
      const { url } = await start([], []);
      const token = bearer(await fixture.as.mint({ capabilities: [{ action: 'search.web' }] }));
      expect((await send(url, { path: '/v1/nothing', headers: { authorization: token } })).status).toBe(404);
      expect((await send(url, { path: '/elsewhere', headers: { authorization: token } })).status).toBe(404);
    });
  });
});

forEachKoa('a router behind koa-mount next to one the guard sees', (App) => {
  let running: Listening | undefined;
  afterEach(() => running?.close());

  it("does not borrow the declaration of the seen router's route on the same path: its own undeclared route is refused", async () => {
    const ran: string[] = [];
    const aap = aapGuard(fixture.options([]));
    const hidden = new Router();
    hidden.get('/export', (ctx) => void (ran.push('hidden export'), (ctx.body = { exported: true })));
    const seen = new Router();
    seen.get('/v1/export', aap.require('search.web'), (ctx) => void (ran.push('declared export'), (ctx.body = {})));
    const app = new App().use(aap).use(mount('/v1', hidden.routes())).use(seen.routes());
    running = await listen(createServer(app.callback()), aap.guard);
    const token = bearer(await fixture.as.mint({ capabilities: [{ action: 'search.web' }] }));
    const refused = await send(running.url, { path: '/v1/export', headers: { authorization: token } });
    expect([refused.status, refused.json?.reason]).toEqual([403, 'route_undeclared']);
    expect(ran).toEqual([]);
  });
});

forEachKoa('a router behind koa-mount, denyAs: error', (App) => {
  let running: Listening | undefined;
  afterEach(() => running?.close());

  it("hands the refusal of the undeclared route to the app's error handling; the handler never runs", async () => {
    const ran: string[] = [];
    const errors: string[] = [];
    const aap = aapGuard({ ...fixture.options([]), denyAs: 'error' });
    const app = new App();
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch (error) {
        if (!(error instanceof AapDenyError)) throw error;
        errors.push(error.reason);
        ctx.status = error.status;
        ctx.body = { handled: error.reason };
      }
    });
    app.use(aap).use(mount('/v1', api(aap, ran).routes()));
    running = await listen(createServer(app.callback()), aap.guard);
    const token = bearer(await fixture.as.mint({ capabilities: [{ action: 'search.web' }] }));
    const refused = await send(running.url, { path: '/v1/export', headers: { authorization: token } });
    expect([refused.status, refused.json]).toEqual([403, { handled: 'route_undeclared' }]);
    expect([errors, ran]).toEqual([['route_undeclared'], []]);
  });
});
