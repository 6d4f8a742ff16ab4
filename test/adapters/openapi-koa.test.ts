/**
 * Declarations from OpenAPI (issue 25, item 9) on Koa 3 and 2 with @koa/router: `aapGuard({ openApi })`
 * declares each route without an `aap.require()` of its own by its operation's `x-aap-action` (an action; a
 * declaration whose `target` is a query or path parameter; `false`: public) — with `app.use(aap)` before
 * the routers, or a router mounted with `aap.router(router)` alone — and `aap.routes(app)` marks where the
 * document and the app disagree. A route's own `aap.require()` wins over the document. Real HTTP, real tokens.
 */
import { createServer } from 'node:http';
import Router from '@koa/router';
import { aapGuard } from '@aap-guard/koa';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import type Koa from 'koa';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { forEachKoa } from '../../packages/koa/test/helpers.js';
import { listen, type Listening } from './kit.js';
import { DOCUMENT, EXPECTED_REPORT, bearerOf, expectDeclaredByDocument, reasonOf } from './openapi-document.js';

let as: TestIssuer;
const servers: Listening[] = [];
beforeAll(async () => {
  as = await createIssuer();
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

type Mount = 'app.use(aap)' | 'aap.router(router)';

function build(Framework: typeof Koa, mount: Mount = 'app.use(aap)') {
  const aap = aapGuard({
    issuer: as.issuer,
    audience: as.audience,
    jwks: as.jwks,
    logger: false,
    warmUp: false,
    openApi: DOCUMENT,
  });
  const app = new Framework();
  const router = new Router();
  router.get('/v1/search', (ctx) => void (ctx.body = { url: ctx.query.url }));
  router.get('/v1/items/:itemId', (ctx) => void (ctx.body = { id: ctx.params.itemId }));
  router.get('/v1/fetch/:host', (ctx) => void (ctx.body = { host: ctx.params.host }));
  router.get('/v1/owned', aap.require('owned.write'), (ctx) => void (ctx.body = { owned: true })); // its own declaration wins
  router.get('/health', (ctx) => void (ctx.body = { ok: true }));
  router.get('/v1/stats', (ctx) => void (ctx.body = { n: 1 })); // not in the document
  const things = new Router({ prefix: '/v2' });
  things.get('/things/:id', (ctx) => void (ctx.body = { id: ctx.params.id }));
  if (mount === 'app.use(aap)') app.use(aap).use(router.routes()).use(things.routes());
  else app.use(aap.router(router)).use(aap.router(things));
  return { app, aap };
}

async function serve(Framework: typeof Koa, mount?: Mount): Promise<string> {
  const { app, aap } = build(Framework, mount);
  const server = await listen(createServer(app.callback()), aap.guard);
  servers.push(server);
  return server.url;
}

const bearer = (action: string, constraints?: Record<string, unknown>) => bearerOf(as)(action, constraints);

forEachKoa('OpenAPI declarations on Koa', (Framework) => {
  for (const mount of ['app.use(aap)', 'aap.router(router)'] as const) {
    it(`declares each route by its operation: the action, the target from a query or path parameter, public (${mount})`, async () => {
      await expectDeclaredByDocument(await serve(Framework, mount), as);
    });

    it(`lets a route's own aap.require() win over the document (${mount})`, async () => {
      const url = await serve(Framework, mount);
      expect((await fetch(`${url}/v1/owned`, { headers: await bearer('owned.write') })).status).toBe(200);
      expect(await reasonOf(await fetch(`${url}/v1/owned`, { headers: await bearer('owned.read') }))).toEqual([
        403,
        'capability_missing',
      ]);
    });
  }

  it('reports where the document and the app disagree', () => {
    const { app, aap } = build(Framework);
    const table = Object.fromEntries(
      aap
        .routes(app)
        .filter((r) => r.method !== 'HEAD')
        .map((r) => [`${r.method} ${r.path}`, [r.status, r.action, r.openApi]]),
    );
    expect(table).toEqual(EXPECTED_REPORT);
  });

  it('refuses a malformed document at construction', () => {
    expect(() =>
      aapGuard({
        issuer: as.issuer,
        audience: as.audience,
        jwks: as.jwks,
        logger: false,
        warmUp: false,
        openApi: { swagger: '2.0' },
      }),
    ).toThrow(/OpenAPI 3\.x/);
  });
});
