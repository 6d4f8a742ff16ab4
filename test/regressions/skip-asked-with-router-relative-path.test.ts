/**
 * Regression (issue 23, defect 7): `skip()` was asked again, with the router-relative path. With README's
 * own example, `skip: (req) => req.path.startsWith('/internal/')`, and a router mounted at `/v1`,
 * `POST /v1/internal/reindex` (declared `search.admin`) ran for a search-only token — and with no token at
 * all without `app.use(aap)`: the declaration asked `skip` once more, where `req.path` is the path below
 * the router's mount (`/internal/reindex`). Koa under koa-mount did the same with `ctx.path`. `skip` is
 * decided once per request and guard, on the path the client sent, and the declaration uses that decision.
 */
import { createServer } from 'node:http';
import { aapGuard as expressGuard } from '@aap-guard/express';
import { aapGuard as koaGuard } from '@aap-guard/koa';
import Router from '@koa/router';
import express from 'express';
import Koa from 'koa';
import mount from 'koa-mount';
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, listen, send, useAuditedIssuer, type Listening } from '../adapters/kit.js';

const fixture = useAuditedIssuer();

/**
 * `/v1` is a router with `POST /internal/reindex` declared `search.admin`; the app itself has
 * `GET /internal/health`, undeclared — left to the app by `skip`. `ran` records the handlers that ran.
 */
type Build = (ran: string[], global: boolean) => Promise<Listening>;

const builds: Record<string, Build> = {
  async express(ran, global) {
    const aap = expressGuard({ ...fixture.options([]), skip: (req) => req.path.startsWith('/internal/') });
    const v1 = express.Router();
    v1.post(
      '/internal/reindex',
      aap.require('search.admin'),
      (_req, res) => void (ran.push('reindex'), res.json({ reindexed: true })),
    );
    const app = express();
    if (global) app.use(aap);
    app.use('/v1', v1);
    app.get('/internal/health', (_req, res) => void (ran.push('health'), res.json({ ok: true })));
    return listen(createServer(app), aap.guard);
  },
  async koa(ran, global) {
    const aap = koaGuard({ ...fixture.options([]), skip: (ctx) => ctx.path.startsWith('/internal/') });
    const v1 = new Router();
    v1.post(
      '/internal/reindex',
      aap.require('search.admin'),
      (ctx) => void (ran.push('reindex'), (ctx.body = { reindexed: true })),
    );
    const top = new Router();
    top.get('/internal/health', (ctx) => void (ran.push('health'), (ctx.body = { ok: true })));
    const app = new Koa();
    if (global) app.use(aap);
    app.use(mount('/v1', v1.routes())).use(top.routes());
    return listen(createServer(app.callback()), aap.guard);
  },
};

describe.each(Object.keys(builds))('skip is decided on the path the client sent (%s)', (name) => {
  let running: Listening | undefined;
  afterEach(() => running?.close());

  describe.each([
    ['with app.use(aap)', true],
    ['declarations only', false],
  ])('%s', (_label, global) => {
    it('POST /v1/internal/reindex is checked: 401 without a token, 403 for a search-only token; the handler never runs', async () => {
      const ran: string[] = [];
      running = await builds[name]!(ran, global as boolean);
      const anonymous = await send(running.url, { method: 'POST', path: '/v1/internal/reindex' });
      expect(anonymous.status).toBe(401);
      const token = bearer(await fixture.as.mint({ capabilities: [{ action: 'search.web' }] }));
      const searchOnly = await send(running.url, {
        method: 'POST',
        path: '/v1/internal/reindex',
        headers: { authorization: token },
      });
      expect([searchOnly.status, searchOnly.json?.error]).toEqual([403, 'aap_invalid_capability']);
      expect(ran).toEqual([]);
    });

    it('a token that may reindex gets through; GET /internal/health is skipped (left to the app)', async () => {
      const ran: string[] = [];
      running = await builds[name]!(ran, global as boolean);
      const token = bearer(await fixture.as.mint({ capabilities: [{ action: 'search.admin' }] }));
      expect(
        (await send(running.url, { method: 'POST', path: '/v1/internal/reindex', headers: { authorization: token } }))
          .status,
      ).toBe(200);
      expect((await send(running.url, { path: '/internal/health' })).status).toBe(200);
      expect(ran).toEqual(['reindex', 'health']);
    });
  });
});
