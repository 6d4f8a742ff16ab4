/**
 * The security-event receiver of each adapter (RFC 8935 push), mounted at `/aap-events` on a real server
 * listening on 127.0.0.1, for tests that push SETs over HTTP to Express, Fastify and Koa alike.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Guard } from '@aap-guard/core';
import { aapEvents as expressEvents } from '@aap-guard/express';
import { aapEvents as fastifyEvents } from '@aap-guard/fastify';
import { aapEvents } from '@aap-guard/koa';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';

/** A receiver listening: its base URL, and how to stop it (the guard is the caller's). */
export interface ListeningReceiver {
  readonly url: string;
  close(): Promise<void>;
}

async function listening(app: Parameters<typeof createServer>[1]): Promise<ListeningReceiver> {
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

type Mount = (guard: Guard) => Promise<ListeningReceiver>;

/**
 * Each adapter's receiver for `guard`, by name.
 *
 * @example
 * const receiver = await RECEIVERS.express(guard);
 * await pushSet(receiver.url, set);
 */
export const RECEIVERS: Readonly<Record<'express' | 'fastify' | 'koa', Mount>> = {
  express: (guard) => {
    const app = express();
    app.use('/aap-events', expressEvents({ guard }));
    return listening(app);
  },
  fastify: async (guard) => {
    const app = Fastify();
    await app.register(fastifyEvents({ guard }), { prefix: '/aap-events' });
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, close: () => app.close() };
  },
  koa: (guard) => {
    const app = new Koa();
    app.use(aapEvents({ guard }));
    return listening(app.callback());
  },
};

/** POST one SET as RFC 8935 §2.1 says: the status and the RFC 8935 §2.3 error of the answer (`''` on 202). */
export async function pushSet(url: string, set: string): Promise<{ status: number; err: string; description: string }> {
  const headers = { 'content-type': 'application/secevent+jwt' };
  const res = await fetch(`${url}/aap-events`, { method: 'POST', headers, body: set });
  const text = await res.text();
  const error = (text ? JSON.parse(text) : {}) as { err?: unknown; description?: unknown };
  return { status: res.status, err: String(error.err ?? ''), description: String(error.description ?? '') };
}
