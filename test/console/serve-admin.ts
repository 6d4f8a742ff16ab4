/**
 * The admin routers of the three adapters on real HTTP servers (127.0.0.1, a free port), each in front of
 * the same kind of app: the guard mounted after the admin routes, `POST /v1/publish` under oversight.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createGuard, type Guard, type GuardOptions } from '@aap-guard/core';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import { aapAdmin as expressAdmin } from '@aap-guard/admin/express';
import { aapAdmin as fastifyAdmin } from '@aap-guard/admin/fastify';
import { aapAdmin as koaAdmin } from '@aap-guard/admin/koa';
import { aapGuard as expressGuard } from '@aap-guard/express';
import { aapGuard as fastifyGuard } from '@aap-guard/fastify';
import { aapGuard as koaGuard } from '@aap-guard/koa';
import express from 'express';
import Fastify from 'fastify';
import Router from '@koa/router';
import Koa from 'koa';
import { afterEach, beforeAll } from 'vitest';

export const ADAPTERS = ['express', 'fastify', 'koa'] as const;
export type Adapter = (typeof ADAPTERS)[number];

/** What the admin router gets besides the guard (authorize is required). */
export interface AdminSetup {
  readonly authorize: (req: { headers: Record<string, unknown> }) => boolean | Promise<boolean>;
  readonly actor?: (req: { headers: Record<string, unknown> }) => string | undefined;
  readonly console?: unknown;
}

export interface Served {
  readonly url: string;
  readonly guard: Guard;
  close(): Promise<void>;
}

/**
 * One test issuer for the file (created before all tests) and `serveAdmin` with a guard that trusts it;
 * every server is closed after its test.
 *
 * @example
 * const admin = useAdminServers();
 * const served = await admin.serve('koa', { oversight }, { authorize: () => true });
 */
export function useAdminServers(): {
  readonly issuer: TestIssuer;
  serve(adapter: Adapter, options: Partial<GuardOptions>, admin: AdminSetup): Promise<Served>;
} {
  let issuer: TestIssuer | undefined;
  const open: Served[] = [];
  beforeAll(async () => {
    issuer = await createIssuer();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((served) => served.close()));
  });
  const trusted = (): TestIssuer => {
    if (!issuer) throw new Error('useAdminServers: the issuer exists only once beforeAll ran');
    return issuer;
  };
  return {
    get issuer() {
      return trusted();
    },
    async serve(adapter, options, admin) {
      const { issuer: iss, audience, jwks } = trusted();
      const served = await serveAdmin(adapter, { issuer: iss, audience, jwks, ...options }, admin);
      open.push(served);
      return served;
    },
  };
}

/**
 * Serve `POST /v1/publish` (action `cms.publish`, 200 `{ published: true }`) behind a guard, with the
 * adapter's admin router under `/aap-admin`.
 *
 * @example
 * const served = await serveAdmin('koa', guardOptions, { authorize: () => true, console: true });
 */
export async function serveAdmin(adapter: Adapter, options: GuardOptions, admin: AdminSetup): Promise<Served> {
  const guard = createGuard(options);
  const setup = { guard, ...admin } as never;
  if (adapter === 'fastify') {
    const app = Fastify();
    await app.register(fastifyGuard, { guard });
    await app.register(fastifyAdmin(setup), { prefix: '/aap-admin' });
    app.post('/v1/publish', { config: { aap: { action: 'cms.publish' } } }, async () => ({ published: true }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, guard, close: async () => void (await app.close(), await guard.close()) };
  }
  if (adapter === 'express') {
    const app = express();
    const aap = expressGuard({ guard });
    app.use('/aap-admin', expressAdmin(setup));
    app.use(aap);
    app.post('/v1/publish', aap.require('cms.publish'), (_req, res) => void res.json({ published: true }));
    return listen(app.listen(0, '127.0.0.1'), guard);
  }
  const app = new Koa();
  const aap = koaGuard({ guard });
  app.use(koaAdmin(setup));
  const router = new Router();
  router.post('/v1/publish', aap.require('cms.publish'), (ctx) => void (ctx.body = { published: true }));
  app.use(aap);
  app.use(router.routes());
  return listen(app.listen(0, '127.0.0.1'), guard);
}

async function listen(server: Server, guard: Guard): Promise<Served> {
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return { url: `http://127.0.0.1:${port}`, guard, close: async () => void (await close(), await guard.close()) };
}
