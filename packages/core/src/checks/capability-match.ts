import { deny, type Check } from './context.js';

/**
 * Step 6: capability match (draft "Capability Enforcement"). Action names match exactly and
 * case-sensitively; every capability naming the route's action is a candidate, in token order.
 * None → `capability_missing` (403 `aap_invalid_capability`). Which candidate authorizes the
 * request is decided with its constraints, in the next step.
 */
export const capabilityMatch: Check = (ctx) => {
  const action = ctx.route?.action;
  const candidates = ctx.claims?.capabilities.filter((capability) => capability.action === action) ?? [];
  if (candidates.length === 0) return deny('capability_missing', { action });
  ctx.candidates = candidates;
  return undefined;
};
