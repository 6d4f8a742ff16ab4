/**
 * Regression (issue 11, defect 1): two guards in one app shared authentication state. Guard A (public
 * issuer/audience) mounted app-wide and guard B (admin issuer/audience, DPoP required) on
 * `DELETE /admin/users/:id`: a plain Bearer token of A's issuer for A's audience got 200 on B's route —
 * and still 200 after `guardB.revoke({ agentId })` — because the authentication result lived under one
 * module-level symbol every `aapGuard()` shared, so B authorized A's claims without ever applying its
 * own issuer, audience, DPoP mode or revocation list. A route protected by a guard must be checked with
 * all of that guard's options; and B's own tokens must get through A's app-wide middleware to B's route.
 */
import { createServer } from 'node:http';
import Router from '@koa/router';
import { aapGuard as expressGuard } from '@aap-guard/express';
import { aapGuard as fastifyGuard } from '@aap-guard/fastify';
import { aapGuard as koaGuard } from '@aap-guard/koa';
import type { Guard, GuardOptions } from '@aap-guard/core';
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
const B = (): GuardOptions => ({
  issuer: adminAs.issuer,
  audience: adminAs.audience,
  jwks: adminAs.jwks,
  dpop: { mode: 'required' },
  logger: false,
});
const DELETE = { action: 'admin.users.delete' };

/** The app: guard A app-wide; guard B declares the admin route. Resolves with the URL and guard B. */
type Build = () => Promise<Listening & { guardB: Guard }>;

const builds: Record<string, Build> = {
  async express() {
    const app = express();
    const a = expressGuard(A());
    const b = expressGuard(B());
    app.use(a);
    app.get('/whoami', (req, res) => void res.json({ agent: req.aap?.claims.agent.id ?? null }));
    app.delete('/admin/users/:id', b.require(DELETE.action), (req, res) => void res.json({ deleted: req.params.id }));
    const listening = await listen(createServer(app), a.guard);
    return { ...listening, guardB: b.guard, close: async () => (await listening.close(), await b.guard.close()) };
  },
  async expressMountedTwice() {
    const app = express();
    const a = expressGuard(A());
    const b = expressGuard(B());
    app.use(a);
    app.use('/admin', b); // B mounted explicitly too
    app.delete('/admin/users/:id', b.require(DELETE.action), (req, res) => void res.json({ deleted: req.params.id }));
    const listening = await listen(createServer(app), a.guard);
    return { ...listening, guardB: b.guard, close: async () => (await listening.close(), await b.guard.close()) };
  },
  async koa() {
    const app = new Koa();
    const a = koaGuard(A());
    const b = koaGuard(B());
    const router = new Router();
    router.delete('/admin/users/:id', b.require(DELETE.action), (ctx) => {
      ctx.body = { deleted: ctx.params.id };
    });
    app.use(a).use(router.routes());
    const listening = await listen(createServer(app.callback()), a.guard);
    return { ...listening, guardB: b.guard, close: async () => (await listening.close(), await b.guard.close()) };
  },
  async fastify() {
    const app = Fastify();
    await app.register(fastifyGuard, A());
    let guardB: Guard | undefined;
    await app.register(async (admin) => {
      await admin.register(fastifyGuard, B()); // an encapsulated context with its own guard
      guardB = admin.aap.guard;
      admin.delete('/admin/users/:id', { config: { aap: DELETE } }, async (request) => ({
        deleted: (request.params as { id: string }).id,
      }));
    });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    return { url, guardB: guardB!, close: () => app.close() };
  },
};

describe.each(Object.keys(builds))('two guards in one app (%s)', (name) => {
  let running: Listening & { guardB: Guard };
  afterEach(() => running?.close());

  const del = async (token: string, proof?: DpopKey) => {
    const url = `${running.url}/admin/users/7`;
    const headers: Record<string, string> = { authorization: `${proof ? 'DPoP' : 'Bearer'} ${token}` };
    if (proof) headers.dpop = await dpopProof({ key: proof, method: 'DELETE', url, accessToken: token });
    return send(running.url, { method: 'DELETE', path: '/admin/users/7', headers });
  };

  it("a token of guard A's issuer and audience is refused on guard B's route: B applies its own options", async () => {
    running = await builds[name]!();
    const publicToken = await publicAs.mint({ capabilities: [{ action: DELETE.action }] });
    const refused = await del(publicToken);
    expect(refused.status).toBe(401);
    expect(['token_issuer_untrusted', 'token_key_unknown', 'token_audience_mismatch', 'dpop_required']).toContain(
      refused.json?.reason,
    );
  });

  it("guard B's own DPoP-bound token gets through A's app-wide middleware, and B's revocation applies", async () => {
    running = await builds[name]!();
    const adminToken = await adminAs.mint({
      agentId: 'admin-agent',
      jkt: key.jkt,
      capabilities: [{ action: DELETE.action }],
    });
    expect((await del(adminToken, key)).status).toBe(200);
    expect((await del(adminToken)).json?.reason).toBe('dpop_downgrade'); // B's DPoP rules
    await running.guardB.revoke({ agentId: 'admin-agent' });
    expect((await del(adminToken, key)).json?.reason).toBe('token_revoked');
  });
});
