/** The README examples (examples/<name>/app.mjs) in this process, on a free loopback port. */
import type { AddressInfo } from 'node:net';
// @ts-expect-error: the examples are plain JavaScript (they run the built packages); here vitest aliases them to src
import { createApp as expressApp } from '../../examples/express/app.mjs';
// @ts-expect-error: plain JavaScript
import { createApp as fastifyApp } from '../../examples/fastify/app.mjs';
// @ts-expect-error: plain JavaScript
import { createApp as koaApp } from '../../examples/koa/app.mjs';
// @ts-expect-error: plain JavaScript
import { listenNode } from '../../examples/shared/serve-example.mjs';

export const EXAMPLES = ['express', 'fastify', 'koa'] as const;
export type Example = (typeof EXAMPLES)[number];

export interface RunningExample {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Build an example app exactly as its server.mjs does and listen on 127.0.0.1.
 *
 * @example
 * const api = await startExample('koa', { issuer, audience, jwks }, adminKey, { refreshSeconds: 1 });
 */
export async function startExample(
  name: Example,
  options: object,
  adminKey: string,
  console: object = {},
): Promise<RunningExample> {
  const config = { adminKey, console };
  if (name === 'fastify') {
    const app = await fastifyApp(options, config);
    await app.aap.guard.ready(); // keys and the revocation list: a Redis store is in sync before the first request
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, close: () => app.close() };
  }
  const built = name === 'express' ? expressApp(options, config) : koaApp(options, config);
  await built.guard.ready();
  const { url, close } = await listenNode(built, { port: 0, host: '127.0.0.1' });
  return { url, close: async () => void (await close()) };
}
