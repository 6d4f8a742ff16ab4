import type { AuthorizedPrincipal, Principal } from '../base/types/decision.js';

/**
 * The authorized principal of a request, typed without `!`: inside a declared route it is always there;
 * anywhere else a call is a programming error (`TypeError`). The adapters' `principalOf()` call this.
 *
 * @example
 * const { claims, capability } = authorizedPrincipal(req.aap, 'req.aap');
 */
export function authorizedPrincipal(principal: Principal | null | undefined, where: string): AuthorizedPrincipal {
  if (!principal?.capability || principal.action === undefined) {
    throw new TypeError(`${where} holds no authorized principal: call it inside a route declared with the guard`);
  }
  return principal as AuthorizedPrincipal;
}
