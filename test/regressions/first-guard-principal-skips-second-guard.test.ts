/**
 * Regression (issue 23, defect 2): a first guard's principal switched off a second guard's deny-by-default.
 * Guard A (public issuer/audience, `undeclared: 'allow'`) app-wide and guard B (admin issuer/audience, DPoP
 * required) on an admin router: a plain Bearer token of A's issuer calling an admin route nobody declared
 * reached its handler — B's issuer, audience and DPoP checks never ran — because B's middleware (Express
 * `authenticate`, Koa's app-wide middleware and `aap.router()`) took "a principal is on the request"
 * (`req.aap`, `ctx.state.aap`, set by A) for "I authenticated this request". Each guard must decide from
 * its own per-request state, never from a principal any guard can set. Fastify, which held, runs too.
 * Same cause, Koa: the list of routers mounted after "the guard" was cached per app, not per guard — once
 * the second guard had filled it, the first resolved its routes with the second's list and let an
 * undeclared route between them run.
 */
import { createServer } from 'node:http';
import Router from '@koa/router';
import { aapGuard as expressGuard } from '@aap-guard/express';
import { aapGuard as fastifyGuard } from '@aap-guard/fastify';
import { aapGuard as koaGuard } from '@aap-guard/koa';
import type { GuardOptions } from '@aap-guard/core';
import { createDpopKey, createIssuer, dpopProof, type DpopKey, type TestIssuer } from '@aap-guard/testing';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listen, send, type Listening } from '../adapters/kit.js';

let publicAs: TestIssuer;
let adminAs: TestIssuer;
let key: DpopKey;
beforeAll(async () => {
  publicAs = await createIssuer({ issuer: 'https://as.example.com', audience: 'https://api.example.com' });
  adminAs = await createIssuer({ issuer: 'https://admin-as.example.com', audience: 'https://admin.example.com' });
  key = await createDpopKey();
});

const A = (): GuardOptions => ({
  issuer: publicAs.issuer,
  audience: publicAs.audience,
  jwks: publicAs.jwks,
  undeclared: 'allow',
  logger: false,
});
/** B trusts A's issuer too (for its own audience only): a token made for both is authenticated by both. */
const B = (): GuardOptions => ({
  issuer: [adminAs.issuer, { issuer: publicAs.issuer, jwks: publicAs.jwks }],
  audience: adminAs.audience,
  jwks: adminAs.jwks,
  dpop: { mode: 'required' },
  logger: false,
});
const READ = 'admin.users.read';

/**
 * Guard A app-wide; guard B on the admin area: `GET /admin/users` declared with B, `GET /admin/audit`
 * declared by nobody. `ran` records the handlers that ran.
 */
type Build = (ran: string[]) => Promise<Listening>;

const closing = (listening: Listening, ...guards: { close(): Promise<void> }[]): Listening => ({
  url: listening.url,
  close: async () => {
    await listening.close();
    for (const guard of guards) await guard.close();
  },
});

function expressAdmin(b: ReturnType<typeof expressGuard>, ran: string[]): express.Router {
  const admin = express.Router();
  admin.get('/users', b.require(READ), (_req, res) => void (ran.push('users'), res.json({ users: [] })));
  admin.get('/audit', (_req, res) => void (ran.push('audit'), res.json({ audit: [] })));
  return admin;
}

function koaAdmin(b: ReturnType<typeof koaGuard>, ran: string[]): Router {
  const admin = new Router({ prefix: '/admin' });
  admin.get('/users', b.require(READ), (ctx) => void (ran.push('users'), (ctx.body = { users: [] })));
  admin.get('/audit', (ctx) => void (ran.push('audit'), (ctx.body = { audit: [] })));
  return admin;
}

const builds: Record<string, Build> = {
  async 'express: B in the admin router'(ran) {
    const a = expressGuard(A());
    const b = expressGuard(B());
    const admin = expressAdmin(b, ran);
    const app = express();
    app.use(a);
    app.use('/admin', b, admin);
    return closing(await listen(createServer(app), a.guard), b.guard);
  },
  async 'express: B app-wide after A'(ran) {
    const a = expressGuard(A());
    const b = expressGuard(B());
    const app = express();
    app.use(a);
    app.use('/admin', b);
    app.use('/admin', expressAdmin(b, ran));
    return closing(await listen(createServer(app), a.guard), b.guard);
  },
  async 'koa: B app-wide after A'(ran) {
    const a = koaGuard(A());
    const b = koaGuard(B());
    const app = new Koa();
    app.use(a).use(b).use(koaAdmin(b, ran).routes());
    return closing(await listen(createServer(app.callback()), a.guard), b.guard);
  },
  async 'koa: B mounts the admin router (aap.router)'(ran) {
    const a = koaGuard(A());
    const b = koaGuard(B());
    const app = new Koa();
    app.use(a).use(b.router(koaAdmin(b, ran)));
    return closing(await listen(createServer(app.callback()), a.guard), b.guard);
  },
  async 'fastify: B in an encapsulated context'(ran) {
    const app = Fastify();
    await app.register(fastifyGuard, A());
    await app.register(async (admin) => {
      await admin.register(fastifyGuard, B());
      admin.get('/admin/users', { config: { aap: { action: READ } } }, async () => (ran.push('users'), { users: [] }));
      admin.get('/admin/audit', async () => (ran.push('audit'), { audit: [] }));
    });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    return { url, close: () => app.close() };
  },
};

describe.each(Object.keys(builds))('a second guard keeps its own deny-by-default (%s)', (name) => {
  let running: Listening | undefined;
  afterEach(() => running?.close());

  const get = async (path: string, token: string, proof?: DpopKey) => {
    const headers: Record<string, string> = { authorization: `${proof ? 'DPoP' : 'Bearer'} ${token}` };
    if (proof)
      headers.dpop = await dpopProof({ key: proof, method: 'GET', url: `${running!.url}${path}`, accessToken: token });
    return send(running!.url, { path, headers });
  };

  it("a token of guard A's issuer never reaches B's undeclared route: B authenticates it with its own options", async () => {
    const ran: string[] = [];
    running = await builds[name]!(ran);
    const publicToken = await publicAs.mint({ capabilities: [{ action: READ }] });
    const refused = await get('/admin/audit', publicToken);
    expect(refused.status).toBe(401);
    expect(['token_issuer_untrusted', 'token_key_unknown', 'token_audience_mismatch', 'dpop_required']).toContain(
      refused.json?.reason,
    );
    expect((await get('/admin/users', publicToken)).status).toBe(401);
    expect(ran).toEqual([]);
  });

  it("a DPoP token both guards accept is refused on the route nobody declared (403 route_undeclared by B), admitted on B's declared one", async () => {
    const ran: string[] = [];
    running = await builds[name]!(ran);
    const both = { aud: [publicAs.audience, adminAs.audience] };
    const adminToken = await publicAs.mint({ jkt: key.jkt, capabilities: [{ action: READ }], claims: both });
    const undeclared = await get('/admin/audit', adminToken, key);
    expect([undeclared.status, undeclared.json?.reason]).toEqual([403, 'route_undeclared']);
    expect((await get('/admin/users', adminToken, key)).status).toBe(200);
    expect(ran).toEqual(['users']);
  });
});

describe("Koa: a guard resolves routes with what is mounted after IT, not another guard's list", () => {
  let running: Listening | undefined;
  afterEach(() => running?.close());

  it('an undeclared route between two app-wide guards is refused by the first, even after the second filled its cache first', async () => {
    const ran: string[] = [];
    // A (deny mode) leaves /internal/* to the app; B sees them first, and used to cache its routers for the app.
    const a = koaGuard({ ...A(), undeclared: 'deny', skip: (ctx) => ctx.path.startsWith('/internal/') });
    const b = koaGuard(B());
    const between = new Router();
    between.get('/reports/export', (ctx) => void (ran.push('export'), (ctx.body = { exported: true })));
    const after = new Router();
    after.get('/internal/status', b.public(), (ctx) => void (ctx.body = { ok: true }));
    const app = new Koa();
    app.use(a).use(between.routes()).use(b).use(after.routes());
    running = closing(await listen(createServer(app.callback()), a.guard), b.guard);
    expect((await send(running.url, { path: '/internal/status' })).status).toBe(200);
    const token = await publicAs.mint({ capabilities: [{ action: 'search.web' }] });
    const refused = await send(running.url, { path: '/reports/export', headers: { authorization: `Bearer ${token}` } });
    expect([refused.status, refused.json?.reason]).toEqual([403, 'route_undeclared']);
    expect(ran).toEqual([]);
  });
});
