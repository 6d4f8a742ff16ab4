import type { Check } from '../checks/context.js';
import { heldAction } from './hold-step.js';

/**
 * Step 7 with holds: an action listed in the token's `oversight.requires_human_approval_for` is never
 * completed automatically — it is held (403 `approval_required` with a hold id) unless the request
 * carries the id of an approved hold for exactly this request (consumed once). Other actions pass.
 *
 * @example
 * const outcome = await oversightHolds(ctx); // undefined, or deny('approval_required' | 'hold_*', …)
 */
export const oversightHolds: Check = (ctx) => {
  const action = ctx.route?.action;
  const listed = ctx.claims?.oversight?.requires_human_approval_for;
  if (action === undefined || !Array.isArray(listed) || !listed.includes(action)) return undefined;
  return heldAction(ctx);
};
