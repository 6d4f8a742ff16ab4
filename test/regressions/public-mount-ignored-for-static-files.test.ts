/**
 * Regression (issue 25, item 7): `aap.public()` in `app.use()` was silently ignored. Express:
 * `app.use('/static', aap.public(), express.static(dir))` after `app.use(aap)` answered every anonymous
 * request for a static file with 401 — the route resolution only looked for routes, found none below the
 * mount, and the app-wide middleware authenticated the request. Koa: `app.use(aap.public())` runs as app
 * middleware, where the guard cannot tell what it opts out. Now Express honours an opt-out (or a declaration)
 * mounted before plain middleware on a path that middleware matches; Koa refuses the misplaced marker —
 * `aap.routes(app)` (the startup report) throws a TypeError naming the fix, and a request is an audited 503,
 * never a silent pass or a silent refusal.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Router from '@koa/router';
import type { AuditEvent } from '@aap-guard/core';
import { aapGuard as expressGuard } from '@aap-guard/express';
import { aapGuard as koaGuard } from '@aap-guard/koa';
import express from 'express';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { frameworkVersions, forEachVersion } from '../adapters/versions.js';
import { bearer, listen, send, useAuditedIssuer, type Listening } from '../adapters/kit.js';

const fixture = useAuditedIssuer();
const EXPRESS = await frameworkVersions('Express', 'express', express, { alias: 'express4', major: '4' });
const dir = mkdtempSync(join(tmpdir(), 'aap-static-'));
writeFileSync(join(dir, 'logo.txt'), 'logo');

let running: Listening | undefined;
afterEach(() => running?.close());

forEachVersion(EXPRESS, 'Express: aap.public() before express.static in app.use()', (framework) => {
  it('serves the static files to anyone; the rest stays guarded', async () => {
    const aap = expressGuard(fixture.options([]));
    const app = framework();
    app.use(aap);
    app.use('/static', aap.public(), framework.static(dir));
    app.get('/v1/search', aap.require('search.web'), (_req, res) => void res.json({ ok: true }));
    running = await listen(createServer(app), aap.guard);
    const file = await send(running.url, { path: '/static/logo.txt' });
    expect([file.status, file.body.toString('utf8')]).toEqual([200, 'logo']);
    expect((await send(running.url, { path: '/static/missing.txt' })).status).toBe(404);
    expect((await send(running.url, { path: '/v1/search' })).json?.reason).toBe('credentials_missing');
    const other = await send(running.url, {
      path: '/elsewhere',
      headers: { authorization: bearer(await fixture.as.mint()) },
    });
    expect(other.status).toBe(404);
  });
});

describe('Koa: aap.public() in app.use()', () => {
  it('the startup report throws a TypeError naming the fix; a request is refused (audited 503), never passed or ignored', async () => {
    const events: AuditEvent[] = [];
    const aap = koaGuard(fixture.options(events));
    const router = new Router();
    router.get('/v1/search', aap.require('search.web'), (ctx) => void (ctx.body = { ok: true }));
    const app = new Koa();
    app.use(aap).use(aap.public()).use(router.routes());
    expect(() => aap.routes(app)).toThrow(TypeError);
    expect(() => aap.routes(app)).toThrow(/router\.get\(path, aap\.public\(\), handler\)/);
    running = await listen(createServer(app.callback()), aap.guard);
    const sent = await send(running.url, {
      path: '/v1/search',
      headers: { authorization: bearer(await fixture.as.mint()) },
    });
    expect([sent.status, sent.json?.reason]).toEqual([503, 'internal_error']);
    expect(events.map((event) => event.reason)).toEqual(['internal_error']);
  });
});
