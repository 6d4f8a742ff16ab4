import { authorizedPrincipal, type AuthorizedPrincipal } from '@aap-guard/core';
import type { FastifyRequest } from 'fastify';

/**
 * The principal a route's `config.aap` declaration authorized, typed: `claims`, `capability` and `action`
 * are all there. Inside a declared route it never throws; anywhere else it is a programming error.
 *
 * @example
 * app.get('/v1/search', { config: { aap: { action: 'search.web' } } }, async (request) => ({
 *   agent: principalOf(request).claims.agent.id,
 * }));
 */
export function principalOf(request: FastifyRequest): AuthorizedPrincipal {
  return authorizedPrincipal(request.aap, 'request.aap');
}
