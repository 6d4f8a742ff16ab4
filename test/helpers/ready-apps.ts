/**
 * The readiness route of each adapter, as README's quickstarts mount it (`app.get('/ready', aap.health())`,
 * Fastify's `app.aap.health`), on a real HTTP server on 127.0.0.1; optionally `/ready/detail`, the same
 * route asking for detail (`health({ detail: true })`).
 */
import { createServer } from 'node:http';
import type { Guard } from '@aap-guard/core';
import { aapGuard as expressGuard } from '@aap-guard/express';
import { aapGuard as fastifyGuard } from '@aap-guard/fastify';
import { aapGuard as koaGuard } from '@aap-guard/koa';
import Router from '@koa/router';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';
import { listen, type Listening } from '../adapters/kit.js';

export const READY_ADAPTERS = ['express', 'fastify', 'koa'] as const;
export type ReadyAdapter = (typeof READY_ADAPTERS)[number];

/**
 * Serve `guard`'s readiness route with `adapter` (`/ready`, and `/ready/detail` when `detail`); closing the
 * server closes the guard.
 *
 * @example
 * const running = await serveReady('koa', guard, true);
 * await fetch(`${running.url}/ready`);
 */
export async function serveReady(adapter: ReadyAdapter, guard: Guard, detail = false): Promise<Listening> {
  if (adapter === 'express') {
    const aap = expressGuard({ guard });
    const app = express();
    app.use(aap);
    app.get('/ready', aap.health());
    if (detail) app.get('/ready/detail', aap.health({ detail: true }));
    return listen(createServer(app), guard);
  }
  if (adapter === 'fastify') {
    const app = Fastify();
    await app.register(fastifyGuard, { guard });
    app.get('/ready', { config: { aap: false } }, app.aap.health);
    if (detail) app.get('/ready/detail', { config: { aap: false } }, app.aap.health({ detail: true }));
    await app.ready();
    return listen(app.server, guard);
  }
  const aap = koaGuard({ guard });
  const router = new Router();
  router.get('/ready', aap.health());
  if (detail) router.get('/ready/detail', aap.health({ detail: true }));
  return listen(createServer(new Koa().use(aap).use(router.routes()).callback()), guard);
}

/** A loopback URL on a port nothing listens on: connections are refused. */
export async function refusingUrl(path = '/jwks'): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}${path}`;
}
