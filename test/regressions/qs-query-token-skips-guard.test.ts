/**
 * Regression (found with issue 23, defect 1): a query token spelled the way `qs` reads it skipped the guard.
 * The query scan matched the name `access_token` (and its percent-encodings) only, but Express 4's default
 * query parser (`qs`, also Express 5 with `app.set('query parser', 'extended')`) turns `[access_token]=…`,
 * `access_token[]=…` or `.access_token=…` into a top-level `req.query.access_token`, which a login after the
 * guard (express-oauth2-jwt-bearer reads `req.query.access_token`) admitted — with `authRequired: false`, a
 * revoked token went through unchecked. Any name a form or query parser may read as a top-level
 * `access_token` is now 400 `credentials_in_query`. Over real HTTP on every adapter (Koa and Fastify parse
 * queries plainly, so only the refusal is checked there).
 */
import { createServer } from 'node:http';
import Router from '@koa/router';
import type { Guard } from '@aap-guard/core';
import { aapGuard as expressGuard } from '@aap-guard/express';
import { aapGuard as fastifyGuard } from '@aap-guard/fastify';
import { aapGuard as koaGuard } from '@aap-guard/koa';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { listen, send, useAuditedIssuer, type Listening } from '../adapters/kit.js';
import { frameworkVersions } from '../adapters/versions.js';

const fixture = useAuditedIssuer();
const [, EXPRESS_4] = await frameworkVersions('Express', 'express', express, { alias: 'express4', major: '4' });

/** The app's own login after the guard: the guard's principal, else a string `access_token` in the parsed query. */
function login(principal: unknown, query: unknown): string {
  if (principal) return 'agent';
  return typeof (query as { access_token?: unknown }).access_token === 'string' ? 'query-token' : 'nobody';
}

interface App extends Listening {
  readonly guard: Guard;
}

const options = () => ({ ...fixture.options([]), authRequired: false });

function expressApp(framework: typeof express, extended: boolean) {
  return async (): Promise<App> => {
    const aap = expressGuard(options());
    const app = framework();
    if (extended) app.set('query parser', 'extended');
    app.use(aap);
    app.get('/v1/search', aap.require('search.web'), (req, res) => void res.json({ who: login(req.aap, req.query) }));
    return { ...(await listen(createServer(app), aap.guard)), guard: aap.guard };
  };
}

const builds: Record<string, (() => Promise<App>) | undefined> = {
  'express 4': EXPRESS_4?.framework && expressApp(EXPRESS_4.framework, false),
  'express 5, extended query parser': expressApp(express, true),
  async koa() {
    const aap = koaGuard(options());
    const router = new Router();
    router.get('/v1/search', aap.require('search.web'), (ctx) => {
      ctx.body = { who: login(ctx.state.aap, ctx.query) };
    });
    const app = new Koa().use(aap).use(router.routes());
    return { ...(await listen(createServer(app.callback()), aap.guard)), guard: aap.guard };
  },
  async fastify() {
    const app = Fastify();
    await app.register(fastifyGuard, options());
    const declared = { config: { aap: { action: 'search.web' } } };
    app.get('/v1/search', declared, async (request) => ({ who: login(request.aap, request.query) }));
    await app.ready();
    return { ...(await listen(app.server, app.aap.guard)), guard: app.aap.guard };
  },
};

describe.each(Object.keys(builds))('a query token in a qs spelling (%s)', (name) => {
  let running: App | undefined;
  afterEach(() => running?.close());

  it.skipIf(!builds[name])('is refused (400 credentials_in_query) before the app logs it in', async () => {
    running = await builds[name]!();
    const token = await fixture.as.mint({ taskId: 'task-revoked-q' });
    await running.guard.revoke({ taskId: 'task-revoked-q' });
    const spellings = ['%5Baccess_token%5D', '[access_token]', 'access_token[]', '.access_token', 'access_token'];
    for (const spelling of spellings) {
      const sent = await send(running.url, { path: `/v1/search?${spelling}=${token}` });
      expect([sent.status, sent.json?.reason], spelling).toEqual([400, 'credentials_in_query']);
    }
    expect((await send(running.url, { path: '/v1/search?x%5Baccess_token%5D=1' })).json).toEqual({ who: 'nobody' });
  });
});
