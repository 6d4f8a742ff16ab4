import { authorizedPrincipal, type AuthorizedPrincipal } from '@aap-guard/core';
import type { Request } from 'express';

/**
 * The principal `aap.require()` authorized, typed: `claims`, `capability` and `action` are all there.
 * Inside a declared route it never throws; anywhere else it is a programming error (`TypeError`).
 *
 * @example
 * app.get('/v1/search', aap.require('search.web'), (req, res) => {
 *   res.json({ agent: principalOf(req).claims.agent.id });
 * });
 */
export function principalOf(req: Request): AuthorizedPrincipal {
  return authorizedPrincipal(req.aap, 'req.aap');
}
