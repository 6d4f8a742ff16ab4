import { deny } from '../base/deny/deny.js';
import type { Check } from './context.js';
import { isSenderConstrained } from './sender-constrained.js';

/**
 * The route's own proof-of-possession requirement and DPoP mode, checked once the route is known (adapters:
 * `app.use(aap)` authenticates with the guard's settings, `aap.require()` authorizes; `guard.check(request,
 * route)` runs both halves at once and lands here too). The proof or certificate itself was verified at
 * authentication — every bound token's is — so here only the binding matters:
 * - `pop: 'required'` (or the deprecated `dpop: 'required'`) refuses a token bound to neither a DPoP key nor
 *   a certificate (`pop_required`, or `dpop_required` under the deprecated name); either binding meets it;
 * - `dpop: 'disabled'` refuses a DPoP-bound token (`dpop_disabled`: it cannot be used without its proof).
 * A route cannot relax a guard-wide `required`: authentication already refused the unbound token.
 */
export const routePop: Check = (ctx) => {
  const route = ctx.route;
  if (!route) return undefined;
  if (route.popRequirement === 'required' && !isSenderConstrained(ctx.claims)) {
    return deny(route.popReason, {
      check: 'pop',
      requirement: 'route',
      problem: 'route requires proof of possession; the token is bound to no key',
    });
  }
  if (route.dpop === 'disabled' && typeof ctx.claims?.cnf?.jkt === 'string')
    return deny('dpop_disabled', { problem: 'route has DPoP disabled' });
  return undefined;
};
