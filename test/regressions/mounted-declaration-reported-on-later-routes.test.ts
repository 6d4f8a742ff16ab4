/**
 * Regression (issue 25, item 4): the route report ignored the mount path of a mounted declaration. After
 * `app.use('/users', aap.require('users.read'), router)` (Express) or `router.use('/users',
 * aap.require('users.read'))` (Koa), every LATER route of the app — undeclared ones, `aap.public()` ones,
 * `/ready` — was reported as "declared users.read". Enforcement was right (a request to those routes is
 * resolved with the mount's match); the report people audit coverage with was not. The same for a mounted
 * `aap.public()`. The report now applies a mounted marker only to the routes its mount path covers, and
 * agrees with what a request meets. (Fastify declares per route, in its config: no mounts.)
 */
import { createServer } from 'node:http';
import Router from '@koa/router';
import { aapGuard as expressGuard } from '@aap-guard/express';
import { aapGuard as koaGuard } from '@aap-guard/koa';
import express from 'express';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { frameworkVersions, forEachVersion } from '../adapters/versions.js';
import { bearer, listen, send, useAuditedIssuer, type Listening } from '../adapters/kit.js';

const fixture = useAuditedIssuer();
const EXPRESS = await frameworkVersions('Express', 'express', express, { alias: 'express4', major: '4' });

type Report = readonly {
  readonly method: string;
  readonly path: string;
  readonly status: string;
  readonly action?: string | undefined;
}[];
const table = (report: Report) =>
  Object.fromEntries(
    report
      .filter((route) => route.method !== 'HEAD')
      .map((route) => [`${route.method} ${route.path}`, [route.status, route.action]]),
  );

/**
 * What the report must say: the mounted declaration covers `/users/…` only; `/static/…` is opted out by a mounted
 * `aap.public()`.
 */
const EXPECTED = {
  'GET /users/:id': ['declared', 'users.read'],
  'GET /other': ['undeclared', undefined],
  'GET /health': ['public', undefined],
  'GET /ready': ['public', undefined],
  'GET /static/logo': ['public', undefined],
  'GET /after': ['undeclared', undefined],
};

let running: Listening | undefined;
afterEach(() => running?.close());

/**
 * Requests agree with the report: the declared route admits its token, the undeclared ones refuse it, public ones
 * answer.
 */
async function expectEnforcementAgrees(url: string): Promise<void> {
  const token = bearer(await fixture.as.mint({ capabilities: [{ action: 'users.read' }] }));
  const get = (path: string) => send(url, { path, headers: { authorization: token } });
  expect((await get('/users/1')).status).toBe(200);
  expect((await get('/other')).json?.reason).toBe('route_undeclared');
  expect((await get('/after')).json?.reason).toBe('route_undeclared');
  expect((await send(url, { path: '/health' })).status).toBe(200);
  expect((await send(url, { path: '/static/logo' })).status).toBe(200);
}

forEachVersion(EXPRESS, 'Express: a mounted declaration covers only its mount path in aap.routes(app)', (framework) => {
  it('reports the routes after `app.use("/users", aap.require(…), router)` as what they are', async () => {
    const aap = expressGuard(fixture.options([]));
    const users = framework.Router();
    users.get('/:id', (req, res) => void res.json({ id: req.params.id }));
    const files = framework.Router();
    files.get('/logo', (_req, res) => void res.json({ logo: true }));
    const app = framework();
    app.use(aap);
    app.use('/users', aap.require('users.read'), users);
    app.use('/static', aap.public(), files);
    app.get('/other', (_req, res) => void res.json({}));
    app.get('/health', aap.public(), (_req, res) => void res.json({ ok: true }));
    app.get('/ready', aap.health());
    const after = framework.Router();
    after.get('/after', (_req, res) => void res.json({}));
    app.use(after);
    expect(table(aap.routes(app))).toEqual(EXPECTED);
    running = await listen(createServer(app), aap.guard);
    await expectEnforcementAgrees(running.url);
  });
});

describe('Koa: a mounted declaration covers only its mount path in aap.routes(app)', () => {
  it('reports the routes after `router.use("/users", aap.require(…))` as what they are', async () => {
    const aap = koaGuard(fixture.options([]));
    const router = new Router();
    router.use('/users', aap.require('users.read'));
    router.use('/static', aap.public());
    router.get('/users/:id', (ctx) => void (ctx.body = { id: ctx.params.id }));
    router.get('/static/logo', (ctx) => void (ctx.body = { logo: true }));
    router.get('/other', (ctx) => void (ctx.body = {}));
    router.get('/health', aap.public(), (ctx) => void (ctx.body = { ok: true }));
    router.get('/ready', aap.health());
    router.get('/after', (ctx) => void (ctx.body = {}));
    const app = new Koa();
    app.use(aap).use(router.routes());
    expect(table(aap.routes(app))).toEqual(EXPECTED);
    running = await listen(createServer(app.callback()), aap.guard);
    await expectEnforcementAgrees(running.url);
  });
});
