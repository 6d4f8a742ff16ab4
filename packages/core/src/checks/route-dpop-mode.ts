import { deny } from '../base/deny/deny.js';
import type { Check } from './context.js';

/**
 * The route's DPoP requirement (`RouteSpec.dpop`) when authentication ran before the route was known
 * (adapters: `app.use(aap)` authenticates with the guard's mode, `aap.require()` authorizes). The
 * proof itself was verified then — every DPoP-bound token is — so here only the binding matters:
 * `required` refuses a token that is not DPoP-bound, `disabled` one that is. A route cannot relax a
 * guard-wide `required` in that flow: authentication already refused the unbound token.
 * With `guard.check(request, route)` step 3 applied the route's mode already, and this agrees with it.
 */
export const routeDpopMode: Check = (ctx) => {
  const mode = ctx.route?.dpop;
  if (mode === undefined || mode === 'optional') return undefined;
  const bound = typeof ctx.claims?.cnf?.jkt === 'string';
  if (mode === 'required' && !bound) return deny('dpop_required', { problem: 'route requires a DPoP-bound token' });
  if (mode === 'disabled' && bound) return deny('dpop_disabled', { problem: 'route has DPoP disabled' });
  return undefined;
};
