import type { Decision } from '@aap-guard/core';
import type { FastifyReply } from 'fastify';

/**
 * Send a deny `Decision` through Fastify's reply: its status, its headers (WWW-Authenticate,
 * Retry-After, RateLimit…), `Cache-Control: no-store` and the JSON body — the same bytes the
 * Express and Koa adapters send (core `writeDeny`). If the response was already started, the
 * socket is destroyed instead, so a truncated response never passes for a complete one.
 *
 * @example
 * if (!decision.allowed) return sendDeny(reply, decision);
 */
export function sendDeny(reply: FastifyReply, decision: Pick<Decision, 'status' | 'headers' | 'body'>): FastifyReply {
  if (reply.sent || reply.raw.headersSent) {
    reply.raw.destroy();
    return reply;
  }
  return reply
    .code(decision.status)
    .headers(decision.headers)
    .header('cache-control', 'no-store')
    .type('application/json; charset=utf-8')
    .send(JSON.stringify(decision.body ?? {}));
}
