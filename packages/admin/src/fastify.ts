import type { Guard } from '@aap-guard/core';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { adminRoutes, type AdminRoutesOptions } from './admin-routes.js';

/** Options of `aapAdmin()` of `@aap-guard/admin/fastify`. */
export interface FastifyAdminOptions extends AdminRoutesOptions<FastifyRequest> {
  /** The guard whose holds and revocations are administered. */
  readonly guard: Guard;
  /** Largest JSON (or console form) body accepted in bytes (default 16384). */
  readonly bodyLimit?: number | undefined;
}

/**
 * A Fastify plugin for holds and revocations — register it with a prefix: `GET /holds`, `GET /holds/:id`,
 * `POST /holds/:id/approve`, `POST /holds/:id/deny`, `GET /revocations`, `POST /revocations`, `GET /keys`, `POST
 * /keys/distrust`,
 * `POST /keys/trust`, and, with
 * `console`, the approval console's pages under `/console`. Every request must pass your
 * `authorize(request)`; without one, creating the plugin throws `TypeError` (it refuses to mount). Not
 * wrapped in fastify-plugin, so the prefix and encapsulation apply. Its routes opt out of the AAP guard
 * (`config.aap: false`): admins are people, authorized by `authorize`.
 *
 * @example
 * import Fastify from 'fastify';
 * const app = Fastify();
 * await app.register(aapAdmin({ guard, authorize: (req) => isAdmin(req), console: true }), { prefix: '/aap-admin' });
 */
export function aapAdmin(options: FastifyAdminOptions): FastifyPluginAsync {
  const bodyLimit = options?.bodyLimit ?? 16_384;
  if (!Number.isSafeInteger(bodyLimit) || bodyLimit < 1)
    throw new TypeError('aapAdmin: options.bodyLimit must be a positive integer');
  const routes = adminRoutes(options?.guard as Guard, options, 'aapAdmin');
  return async (fastify: FastifyInstance) => {
    const prefix = fastify.prefix;
    routes.mountedAt(prefix); // the console's approval links lead here
    const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      const path = request.url.split('?')[0]?.slice(prefix.length) ?? '/';
      const input = {
        method: request.method,
        path,
        query: (request.query ?? {}) as Record<string, unknown>,
        body: request.body,
        headers: request.headers,
        mount: prefix,
        secure: request.protocol === 'https',
      };
      const { status, headers, json, text } = await routes(request, input);
      for (const [name, value] of Object.entries(headers)) reply.header(name, value);
      await reply.code(status).send(text ?? json);
    };
    const read = { config: { aap: false as const } };
    const write = { ...read, bodyLimit };
    fastify.get('/holds', read, handler);
    fastify.get('/holds/:id', read, handler);
    fastify.post('/holds/:id/approve', write, handler);
    fastify.post('/holds/:id/deny', write, handler);
    fastify.get('/revocations', read, handler);
    fastify.post('/revocations', write, handler);
    fastify.get('/keys', read, handler);
    fastify.post('/keys/distrust', write, handler);
    fastify.post('/keys/trust', write, handler);
    if (!options.console) return;
    await fastify.register(async (pages: FastifyInstance) => {
      // The console's forms, parsed by the core: only in this context, the JSON API accepts JSON alone.
      pages.addContentTypeParser(
        'application/x-www-form-urlencoded',
        { parseAs: 'string', bodyLimit },
        (_request, body, done) => done(null, body),
      );
      for (const url of ['/console', '/console/*']) pages.route({ method: ['GET', 'POST'], url, ...write, handler });
    });
  };
}
