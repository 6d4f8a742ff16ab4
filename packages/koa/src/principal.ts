import { authorizedPrincipal, type AuthorizedPrincipal } from '@aap-guard/core';
import type { Context } from 'koa';

/**
 * The principal `aap.require()` authorized, typed: `claims`, `capability` and `action` are all there.
 * Inside a declared route it never throws; anywhere else it is a programming error (`TypeError`).
 *
 * @example
 * router.get('/v1/search', aap.require('search.web'), (ctx) => {
 *   ctx.body = { agent: principalOf(ctx).claims.agent.id };
 * });
 */
export function principalOf(ctx: Context): AuthorizedPrincipal {
  return authorizedPrincipal(ctx.state.aap, 'ctx.state.aap');
}
