import { deny, type Deny } from '../base/deny/deny.js';
import type { Check, CheckContext } from './context.js';
import type { AapClaims, OversightClaim } from '../base/claims/model.js';
import { holdSubject } from './hold-subject.js';
import { HOLD_HEADER, HOLD_ID } from '../concerns/holds/hold-id.js';

/** The actions under oversight, per verified `oversight` object (cached and frozen with the token). */
const listed = new WeakMap<OversightClaim, ReadonlySet<string>>();

/**
 * Step 7: human oversight. An action the token lists under `oversight.requires_human_approval_for` — or
 * `requires_approval_for`, the name the draft's Claim Semantics section uses (both are honoured, as a
 * union) — never completes automatically. Without an `AAP-Hold-Id` header the request is to be held;
 * with one, it is the retry of a held request. Either way the request's subject (token or agent and task,
 * action, method, original path and query, body digest) is fixed here, and step 8 carries it out: a hold
 * is created only when the request's quota admits it, and an approved hold is consumed only when the
 * request is admitted.
 */
export const oversight: Check = (ctx) => {
  const action = ctx.route?.action;
  if (action === undefined || !ctx.claims || !requiresApproval(ctx.claims, action)) return undefined;
  const presented = ctx.request.headers[HOLD_HEADER];
  const id =
    presented === undefined
      ? undefined
      : typeof presented === 'string'
        ? presented.trim()
        : presented.length === 1
          ? presented[0]?.trim()
          : '';
  if (id !== undefined && !HOLD_ID.test(id ?? '')) {
    return deny('hold_mismatch', { problem: 'malformed or repeated AAP-Hold-Id header' });
  }
  return holdFor(ctx, id);
};

/** The hold this request creates, or the approved one it retries (async: the subject may hash a body). */
async function holdFor(ctx: CheckContext, id: string | undefined): Promise<Deny | undefined> {
  const subject = await holdSubject(
    ctx,
    ctx.settings.holds.match,
    id === undefined && ctx.settings.holds.preview !== undefined,
  );
  if ('reason' in subject) return subject;
  ctx.hold = id === undefined ? { kind: 'create', subject } : { kind: 'retry', id, subject };
  return undefined;
}

/** Whether the token puts `action` under human oversight (either member name). */
function requiresApproval(claims: AapClaims, action: string): boolean {
  const oversight = claims.oversight;
  if (!oversight) return false;
  let actions = listed.get(oversight);
  if (!actions) {
    const names = [oversight.requires_human_approval_for, oversight.requires_approval_for].flatMap((list) =>
      Array.isArray(list) ? list : [],
    );
    actions = new Set(names.filter((name): name is string => typeof name === 'string'));
    listed.set(oversight, actions);
  }
  return actions.has(action);
}
