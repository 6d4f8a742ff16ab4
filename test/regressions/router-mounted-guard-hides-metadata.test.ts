/**
 * Regression (issue 25 item 5, left for Express and Koa): `aapGuard()` mounted under a path — Express's
 * `app.use('/api', aap)`, `router.use(aap)` in a router mounted at `/api`, a sub-app; Koa behind koa-mount —
 * never sees the root's well-known paths, so the RFC 9728 document its 401 challenges point to
 * (`resource_metadata`) answered 404 and a client could not discover the authorization server. Now
 * `aap.metadata()` serves it from the app's root (speaking for no other route), and a guard that finds itself
 * mounted under a path without one says so once, in the log. Over real HTTP.
 */
import { createServer } from 'node:http';
import Router from '@koa/router';
import { aapGuard } from '@aap-guard/express';
import { aapGuard as koaGuard } from '@aap-guard/koa';
import express from 'express';
import Koa from 'koa';
import mount from 'koa-mount';
import { afterEach, describe, expect, it } from 'vitest';
import { listen, send, useAuditedIssuer, type Listening } from '../adapters/kit.js';

const fixture = useAuditedIssuer();
let running: Listening | undefined;
afterEach(() => running?.close());

/** The log lines a guard writes, and its options. */
function logged() {
  const lines: Record<string, unknown>[] = [];
  const push = (fields: Record<string, unknown>) => void lines.push(fields);
  const logger = { debug: () => undefined, info: () => undefined, warn: push, error: push };
  const options = { ...fixture.options([]), logger, delegation: { unknownParent: 'allow-audited' as const } };
  return { options, lines: () => lines.filter((line) => line.event === 'metadata.unreachable') };
}

/** An app whose guard is mounted under /api; `withMetadata`: `aap.metadata()` at the app's root. */
const apps: Record<string, (withMetadata: boolean) => Promise<{ url: string; lines: () => unknown[] }>> = {
  async express(withMetadata) {
    const { options, lines } = logged();
    const aap = aapGuard(options);
    const app = express();
    if (withMetadata) app.use(aap.metadata());
    const router = express.Router();
    router.use(aap);
    router.get('/v1/search', aap.require('search.web'), (_req, res) => void res.json({ ok: true }));
    router.get('/v1/undeclared', (_req, res) => void res.json({ reached: true }));
    app.use('/api', router);
    running = await listen(createServer(app), aap.guard);
    return { url: running.url, lines };
  },
  async koa(withMetadata) {
    const { options, lines } = logged();
    const aap = koaGuard(options);
    const router = new Router();
    router.get('/v1/search', aap.require('search.web'), (ctx) => void (ctx.body = { ok: true }));
    router.get('/v1/undeclared', (ctx) => void (ctx.body = { reached: true }));
    const app = new Koa();
    app.silent = true;
    if (withMetadata) app.use(aap.metadata());
    app.use(mount('/api', new Koa().use(aap).use(router.routes())));
    running = await listen(createServer(app.callback()), aap.guard);
    return { url: running.url, lines };
  },
};

describe.each(Object.keys(apps))('%s: a guard mounted under a path, and the RFC 9728 document it names', (name) => {
  const api = (withMetadata: boolean) => apps[name]!(withMetadata);
  it('aap.metadata() at the root serves the document the 401 challenge names', async () => {
    const { url, lines } = await api(true);
    const refused = await send(url, { path: '/api/v1/search' });
    expect(refused.status).toBe(401);
    const advertised = /resource_metadata="([^"]+)"/.exec(String(refused.headers['www-authenticate']))?.[1];
    expect(advertised).toBeDefined();
    const document = await send(url, { path: new URL(advertised!).pathname });
    expect(document.status).toBe(200);
    expect(document.json).toMatchObject({ authorization_servers: [fixture.as.issuer] });
    expect((await send(url, { path: '/api/v1/search', headers: {} })).status).toBe(401); // other paths go on
    // The root handler speaks for nothing else: an undeclared route is still refused, a token still needed.
    expect((await send(url, { path: '/api/v1/undeclared' })).status).toBe(401);
    const token = await fixture.as.mint({ capabilities: [{ action: 'search.web' }] });
    const undeclared = await send(url, { path: '/api/v1/undeclared', headers: { authorization: `Bearer ${token}` } });
    expect([undeclared.status, undeclared.json?.reason]).toEqual([403, 'route_undeclared']);
    expect(lines()).toEqual([]);
  });

  it('without it, the guard says once that the document is not reachable where it is mounted', async () => {
    const { url, lines } = await api(false);
    expect((await send(url, { path: '/api/v1/search' })).status).toBe(401);
    expect((await send(url, { path: '/api/v1/search' })).status).toBe(401);
    expect(lines()).toEqual([expect.objectContaining({ event: 'metadata.unreachable', mount: '/api' })]);
    expect((await send(url, { path: '/.well-known/oauth-protected-resource' })).status).toBe(404);
  });
});
