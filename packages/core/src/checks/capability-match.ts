import type { Capability } from '../base/claims/model.js';
import { deny } from '../base/deny/deny.js';
import type { Check } from './context.js';

const NONE: readonly Capability[] = Object.freeze([]);
/** Candidates per verified `capabilities` array (cached and frozen with the token) and action. */
const byAction = new WeakMap<readonly Capability[], Map<string, readonly Capability[]>>();

/**
 * Step 6: capability match (draft "Capability Enforcement"). Action names match exactly and
 * case-sensitively; every capability naming the route's action is a candidate, in token order.
 * None → `capability_missing` (403 `aap_invalid_capability`). Which candidate authorizes the
 * request is decided with its constraints, in the next step.
 */
export const capabilityMatch: Check = (ctx) => {
  const action = ctx.route?.action;
  const capabilities = ctx.claims?.capabilities;
  const candidates = action !== undefined && capabilities ? candidatesFor(capabilities, action) : NONE;
  if (candidates.length === 0) return deny('capability_missing', { action });
  ctx.candidates = candidates;
  return undefined;
};

function candidatesFor(capabilities: readonly Capability[], action: string): readonly Capability[] {
  let actions = byAction.get(capabilities);
  if (!actions) byAction.set(capabilities, (actions = new Map()));
  let candidates = actions.get(action);
  if (!candidates)
    actions.set(
      action,
      (candidates = Object.freeze(capabilities.filter((capability) => capability.action === action))),
    );
  return candidates;
}
