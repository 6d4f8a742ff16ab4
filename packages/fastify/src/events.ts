import { type Guard } from '@aap-guard/core';
import { securityEventReceiver, type SecurityEventOptions } from '@aap-guard/core/events';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';

/** Options of `aapEvents()`. */
export interface FastifyEventsOptions extends SecurityEventOptions<FastifyRequest> {
  /** The guard whose revocations the events feed. */
  readonly guard: Guard;
}

/**
 * A Fastify plugin receiving Security Event Tokens pushed by the authorization server (RFC 8935) —
 * register it with a prefix: `POST /`, `Content-Type: application/secevent+jwt`. Verified SETs that revoke
 * tokens are applied with `guard.revoke()` on every replica; the answer is 202, or `{ err, description }`.
 * Its route opts out of the AAP guard (`config.aap: false`): the transmitter is no agent. Not wrapped in
 * fastify-plugin, so its body parsers stay inside it.
 *
 * @example
 * await app.register(aapEvents({ guard, authorize: (req) => req.headers.authorization === `Bearer ${key}` }), { prefix:
 * '/aap-events' });
 */
export function aapEvents(options: FastifyEventsOptions): FastifyPluginAsync {
  const { guard, ...receiverOptions } = options ?? ({} as FastifyEventsOptions);
  const receiver = securityEventReceiver<FastifyRequest>(guard, receiverOptions);
  const bodyLimit = options.maxBytes ?? 65_536;
  return async (fastify: FastifyInstance) => {
    // Any media type reaches the receiver as text: a wrong one is its RFC 8935 400, not Fastify's 415.
    fastify.removeAllContentTypeParsers();
    fastify.addContentTypeParser('*', { parseAs: 'string', bodyLimit }, (_request, body, done) => done(null, body));
    fastify.post('/', { config: { aap: false as const }, bodyLimit }, async (request, reply) => {
      const body = typeof request.body === 'string' ? request.body : undefined;
      const { status, headers, body: text } = await receiver.push(request, { headers: request.headers, body });
      await reply.code(status).headers(headers).send(text);
    });
  };
}
