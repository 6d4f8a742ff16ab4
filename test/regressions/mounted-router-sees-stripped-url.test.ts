/**
 * Regression (issue 11, defect 3): a router mounted under a path gave the guard the router-stripped URL.
 * For an Express router at `/admin` used without `app.use(aap)`, a correct DPoP proof for `/admin/users`
 * got 401 `dpop_htu_mismatch` while a proof for `/users` got 200, and the audit recorded `/users`. The
 * same router mounted at `/sandbox` and `/prod`: a hold approved for `/sandbox/publish` was consumed by
 * `POST /prod/publish` → 200. The guard must see the original URL (Express `req.originalUrl`, Koa
 * `ctx.originalUrl` — a mount that rewrites `ctx.path`, as koa-mount does, included) for `htu`, hold
 * binding, audit and every path-based rule.
 */
import { createServer } from 'node:http';
import Router from '@koa/router';
import type { AuditEvent, Guard } from '@aap-guard/core';
import { aapGuard as expressGuard } from '@aap-guard/express';
import { aapGuard as koaGuard } from '@aap-guard/koa';
import { dpopProof } from '@aap-guard/testing';
import express from 'express';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { listen, send, useAuditedIssuer, type Listening } from '../adapters/kit.js';

const fixture = useAuditedIssuer();
const options = fixture.options;

/** One router, mounted at /admin, /sandbox and /prod; no app-wide middleware. */
type Running = Listening & { readonly guard: Guard };
const builds: Record<string, (events: AuditEvent[]) => Promise<Running>> = {
  async express(events) {
    const aap = expressGuard(options(events));
    const router = express.Router();
    router.get('/users', aap.require('admin.users.read'), (_req, res) => void res.json({ users: [] }));
    router.post('/publish', aap.require('cms.publish'), (_req, res) => void res.json({ published: true }));
    const app = express();
    for (const mount of ['/admin', '/sandbox', '/prod']) app.use(mount, router);
    return { ...(await listen(createServer(app), aap.guard)), guard: aap.guard };
  },
  async koa(events) {
    const aap = koaGuard(options(events));
    const router = new Router();
    router.get('/users', aap.require('admin.users.read'), (ctx) => void (ctx.body = { users: [] }));
    router.post('/publish', aap.require('cms.publish'), (ctx) => void (ctx.body = { published: true }));
    const app = new Koa();
    // What koa-mount does: strip the mount path from ctx.path for what runs below it.
    app.use(async (ctx, next) => {
      const mount = ['/admin', '/sandbox', '/prod'].find((prefix) => ctx.path.startsWith(`${prefix}/`));
      if (mount) ctx.path = ctx.path.slice(mount.length);
      await next();
    });
    app.use(router.routes());
    return { ...(await listen(createServer(app.callback()), aap.guard)), guard: aap.guard };
  },
};

describe.each(Object.keys(builds))('a router mounted under a path (%s)', (name) => {
  let running: Running | undefined;
  afterEach(() => running?.close());

  it('a DPoP proof names the original URL: /admin/users is accepted, a proof for the stripped /users is not; the audit records /admin/users', async () => {
    const events: AuditEvent[] = [];
    running = await builds[name]!(events);
    const token = await fixture.as.mint({ jkt: fixture.key.jkt, capabilities: [{ action: 'admin.users.read' }] });
    const get = async (htuPath: string) =>
      send(running!.url, {
        path: '/admin/users',
        headers: {
          authorization: `DPoP ${token}`,
          dpop: await dpopProof({
            key: fixture.key,
            method: 'GET',
            url: `${running!.url}${htuPath}`,
            accessToken: token,
          }),
        },
      });
    expect((await get('/admin/users')).status).toBe(200);
    expect(events.at(-1)?.path).toBe('/admin/users');
    expect((await get('/users')).json?.reason).toBe('dpop_htu_mismatch');
  });

  it('a hold approved for /sandbox/publish is not consumed by POST /prod/publish', async () => {
    const events: AuditEvent[] = [];
    running = await builds[name]!(events);
    const token = `Bearer ${await fixture.as.mint({ capabilities: [{ action: 'cms.publish' }], sections: { oversight: { requires_human_approval_for: ['cms.publish'] } } })}`;
    const held = await send(running.url, {
      method: 'POST',
      path: '/sandbox/publish',
      headers: { authorization: token },
    });
    const id = held.json?.hold_id as string;
    expect((await running.guard.holds.approve(id, { by: 'alice' })).ok).toBe(true);
    const prod = await send(running.url, {
      method: 'POST',
      path: '/prod/publish',
      headers: { authorization: token, 'aap-hold-id': id },
    });
    expect([prod.status, prod.json?.reason]).toEqual([403, 'hold_mismatch']);
    const sandbox = await send(running.url, {
      method: 'POST',
      path: '/sandbox/publish',
      headers: { authorization: token, 'aap-hold-id': id },
    });
    expect(sandbox.status).toBe(200);
  });
});
