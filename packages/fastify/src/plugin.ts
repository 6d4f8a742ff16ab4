import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import './augment.js';
import { declareRoute } from './declare-route.js';
import { guardRequests } from './on-request.js';
import { resolveAdapter, type AapFastifyOptions, type FastifyAdapterOptions } from './options.js';

async function aapGuardPlugin(fastify: FastifyInstance, options: AapFastifyOptions | FastifyAdapterOptions): Promise<void> {
  const configured = 'issuer' in options || 'guard' in options; // else: from the environment
  const { guard, undeclared, owned } = resolveAdapter(options, configured ? {} : process.env);
  fastify.decorate('aap', Object.freeze({ guard }));
  fastify.decorateRequest('aap', null);
  fastify.addHook('onRoute', (routeOptions) => declareRoute(guard, routeOptions));
  fastify.addHook('onRequest', guardRequests(guard, undeclared));
  if (owned) fastify.addHook('onClose', async () => guard.close());
}

/**
 * Fastify plugin of aap-guard (Fastify 5 and 4). Register it BEFORE your routes and plugins: every route
 * registered afterwards declares its AAP action in its config, read and compiled once in `onRoute`:
 * `config: { aap: { action: 'search.web', target: (request) => … } }`, or `aap: false` to opt out.
 * An `onRequest` hook authenticates and authorizes each request in one `guard.check()` and sets
 * `request.aap`. Undeclared routes are denied (403 `route_undeclared`) unless `undeclared: 'allow'`.
 * The guard is `app.aap.guard` (for the admin plugin, holds and revocations).
 * Without guard options, reads `AAP_ISSUER`, `AAP_AUDIENCE`, `AAP_JWKS_URI`.
 *
 * @example
 * import Fastify from 'fastify';
 * import { aapGuard } from '@aap-guard/fastify';
 * const app = Fastify();
 * await app.register(aapGuard, { issuer: 'https://as.example.com', audience: 'https://api.example.com' });
 * app.get('/v1/search', { config: { aap: { action: 'search.web' } } }, async (request) => ({
 *   agent: request.aap?.claims.agent.id,
 * }));
 * app.get('/health', { config: { aap: false } }, async () => ({ status: 'ok' }));
 */
export const aapGuard: FastifyPluginAsync<AapFastifyOptions | FastifyAdapterOptions> = fp(aapGuardPlugin, {
  fastify: '4.x || 5.x',
  name: '@aap-guard/fastify',
});
