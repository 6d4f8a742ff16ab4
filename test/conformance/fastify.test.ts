/** The conformance table through real Fastify HTTP (the plugin, `config.aap` per route). */
import { aapGuard } from '@aap-guard/fastify';
import Fastify from 'fastify';
import { ROUTE_PATHS, TARGET_PARAM, allowedBody, countBody, describeConformance, type Driver } from './harness.js';

const fastifyDriver: Driver = {
  name: 'fastify',
  async start(options, route) {
    const app = Fastify();
    await app.register(aapGuard, options);
    // Every body is counted, whatever its type (the table sends application/octet-stream).
    app.addContentTypeParser('*', (request, _payload, done) => {
      countBody(request.raw).then((received) => done(null, received), done);
    });
    const target = (request: { query: unknown }) => (request.query as Record<string, unknown>)[TARGET_PARAM];
    for (const url of ROUTE_PATHS) {
      app.route({
        method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
        url,
        config: route ? { aap: { ...route, target } } : {},
        handler: async (request) => allowedBody(request.aap, typeof request.body === 'number' ? request.body : 0),
      });
    }
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    return { url, guard: app.aap.guard, close: () => app.close() };
  },
};

describeConformance(fastifyDriver);
