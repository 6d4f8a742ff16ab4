/**
 * The shared adapter behaviour through real Fastify HTTP, on Fastify 5 and Fastify 4 (the plugin, `config.aap` per
 * route).
 */
import { AapDenyError, aapGuard } from '@aap-guard/fastify';
import Fastify, { type FastifyRequest } from 'fastify';
// @ts-expect-error: the examples are plain JavaScript (they run the built packages); here vitest aliases them to src
import { createApp } from '../../examples/fastify/app.mjs';
import { forEachFastify } from '../../packages/fastify/test/helpers.js';
import {
  LARGE_BODY,
  appErrorBody,
  describeAdapter,
  failingTarget,
  principalBody,
  type AdapterDriver,
} from './suite.js';

const target = (request: FastifyRequest) => (request.query as { url?: unknown }).url;

function fastifyDriver(framework: typeof Fastify): AdapterDriver {
  return {
    name: 'fastify',
    async start(options) {
      const app = framework();
      // no guard options: read from AAP_*; the plugin closes its guard with the app
      await app.register(aapGuard, options ?? {});
      app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_request, body, done) =>
        done(null, body),
      );
      const handled: string[] = [];
      app.get('/whoami', async (request) => {
        handled.push('whoami');
        return principalBody(request.aap);
      });
      app.get('/v1/search', { config: { aap: { action: 'search.web', target } } }, async (request) =>
        principalBody(request.aap),
      );
      app.post('/v1/publish', { config: { aap: { action: 'cms.publish' } } }, async (request) => {
        handled.push('publish');
        return principalBody(request.aap);
      });
      app.get('/boom', { config: { aap: { action: 'search.web', target: failingTarget } } }, async () => ({}));
      app.post('/v1/drafts', { config: { aap: { action: 'cms.create_draft' } } }, async (request, reply) => {
        handled.push(`draft:${(request.body as Buffer).length}`);
        return reply.code(201).send({ bytes: (request.body as Buffer).length });
      });
      app.get('/v1/large', { config: { aap: { action: 'search.web' } } }, async (_request, reply) =>
        reply.type('text/plain').send(LARGE_BODY),
      );
      app.get('/health', { config: { aap: false } }, async (request) => ({ status: 'ok', aap: request.aap ?? null }));
      app.get('/ready', { config: { aap: false } }, app.aap.health);
      // The app's own error handling (for `denyAs: 'error'`): its own envelope, the guard's status.
      app.setErrorHandler((error, _request, reply) => {
        if (!(error instanceof AapDenyError)) return reply.send(error);
        return reply.code(error.status).send(appErrorBody(error));
      });
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      return { url, guard: app.aap.guard, handled, close: () => app.close(), routes: () => app.aap.routes() };
    },
    async declare(guard, action, options) {
      const app = framework();
      try {
        await app.register(aapGuard, { guard });
        app.get('/declared', { config: { aap: { action, ...options } } }, async () => ({}));
      } finally {
        await app.close();
      }
    },
    // The example app is Fastify 5 whatever the version under test: run it once.
    example:
      framework === Fastify
        ? async (options, adminKey) => {
            const app = await createApp(options, { adminKey });
            return { url: await app.listen({ port: 0, host: '127.0.0.1' }), close: () => app.close() }; // closes the guard the plugin created
          }
        : undefined,
  };
}

forEachFastify('adapter suite', (framework) => describeAdapter(fastifyDriver(framework)));
