import { adminApi, type AdminOptions, type Guard } from '@aap-guard/core';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

/** Options of `aapAdminPlugin()`. */
export interface FastifyAdminOptions extends AdminOptions<FastifyRequest> {
  /** The guard whose holds and revocations are administered. */
  readonly guard: Guard;
  /** Largest JSON body accepted in bytes (default 16384). */
  readonly bodyLimit?: number | undefined;
}

/**
 * A Fastify plugin for holds and revocations — register it with a prefix: `GET /holds`, `GET /holds/:id`,
 * `POST /holds/:id/approve`, `POST /holds/:id/deny`, `GET /revocations`, `POST /revocations`. Every
 * request must pass your `authorize(request)`; without one, creating the plugin throws `TypeError`
 * (it refuses to mount). Not wrapped in fastify-plugin, so the prefix and encapsulation apply. Its
 * routes opt out of the AAP guard (`config.aap: false`): admins are people, authorized by `authorize`.
 *
 * @example
 * await app.register(aapAdminPlugin({ guard, authorize: (req) => isAdmin(req) }), { prefix: '/aap-admin' });
 */
export function aapAdminPlugin(options: FastifyAdminOptions): FastifyPluginAsync {
  const api = adminApi(options?.guard as Guard, options, 'aapAdminPlugin');
  const bodyLimit = options.bodyLimit ?? 16_384;
  if (!Number.isSafeInteger(bodyLimit) || bodyLimit < 1) throw new TypeError('aapAdminPlugin: options.bodyLimit must be a positive integer');
  return async (fastify: FastifyInstance) => {
    const prefix = fastify.prefix;
    const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      const path = request.url.split('?')[0]?.slice(prefix.length) ?? '/';
      const { status, body } = await api(request, { method: request.method, path, query: (request.query ?? {}) as Record<string, unknown>, body: request.body });
      await reply.code(status).header('cache-control', 'no-store').send(body);
    };
    const read = { config: { aap: false as const } };
    const write = { ...read, bodyLimit };
    fastify.get('/holds', read, handler);
    fastify.get('/holds/:id', read, handler);
    fastify.post('/holds/:id/approve', write, handler);
    fastify.post('/holds/:id/deny', write, handler);
    fastify.get('/revocations', read, handler);
    fastify.post('/revocations', write, handler);
  };
}
