import type { Decision } from '@aap-guard/core';
import { AapDenyError, denyResponse, type AdapterSettings } from '@aap-guard/core/node';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Send a deny the way the app asked: through the reply (default), or thrown as an `AapDenyError` for
 * Fastify's error handling (`setErrorHandler`; `denyAs: 'error'`). Either way the decision's headers
 * (WWW-Authenticate, Retry-After, DPoP-Nonce, `Cache-Control: no-store`) are on the reply. If the
 * response was already started, the socket is destroyed instead.
 */
export function respondDeny(
  adapter: AdapterSettings<FastifyRequest>,
  reply: FastifyReply,
  decision: Decision,
): FastifyReply {
  if (reply.sent || reply.raw.headersSent) {
    reply.raw.destroy();
    return reply;
  }
  const { status, headers, body } = denyResponse(decision, adapter.formatDeny);
  if (adapter.denyAs === 'error') {
    const { 'content-type': _type, ...kept } = headers;
    reply.headers(kept);
    throw new AapDenyError(decision, { status, headers, body });
  }
  return reply.code(status).headers(headers).send(body);
}
