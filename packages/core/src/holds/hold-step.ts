import { deny, type CheckContext, type Deny } from '../checks/context.js';
import type { ReasonCode } from '../deny/reasons.js';
import type { Hold, HoldProblem, HoldUpdate } from '../stores/holds.js';
import { InfrastructureError } from '../util/errors.js';
import { auditHold, holdSummary } from './audit-operation.js';
import { HOLD_ID, holdBinding, holdSubject, newHoldId, type HoldSubject } from './binding.js';

/** Request and response header carrying a hold id. */
export const HOLD_HEADER = 'aap-hold-id';

const REASON: Readonly<Record<HoldProblem, ReasonCode>> = {
  unknown: 'hold_mismatch',
  mismatch: 'hold_mismatch',
  pending: 'hold_pending',
  approved: 'hold_pending', // not a consume outcome; kept for a total mapping
  denied: 'hold_denied',
  expired: 'hold_expired',
  used: 'hold_used',
};

/**
 * Step 7 for an action under oversight (`requires_human_approval_for`): without an `AAP-Hold-Id`
 * header, create a pending hold and deny 403 `approval_required` with its id (body `hold_id` and header);
 * with one, consume the approved hold if it matches exactly this request (the same token — or agent and
 * task — action, method, path with query, body digest) — once. Never fails open: a store fault is a 503
 * even with `onStoreError: 'open'`, since admitting would skip the human.
 *
 * @example
 * if (requiresApproval) return heldAction(ctx);
 */
export async function heldAction(ctx: CheckContext): Promise<Deny | undefined> {
  const presented = ctx.request.headers[HOLD_HEADER];
  if (presented === undefined) return createHold(ctx);
  const id = typeof presented === 'string' ? presented.trim() : presented.length === 1 ? presented[0]?.trim() : undefined;
  if (id === undefined || !HOLD_ID.test(id)) {
    return deny('hold_mismatch', { check: 'oversight', problem: 'malformed or repeated AAP-Hold-Id header' });
  }
  return retry(ctx, id);
}

async function createHold(ctx: CheckContext): Promise<Deny> {
  const { holds, audit } = ctx.options;
  const claims = ctx.claims;
  const subject = holdSubject(ctx, holds.match);
  const base: Hold = {
    id: newHoldId(),
    status: 'pending',
    agent: { id: claims?.agent.id ?? '', operator: claims?.agent.operator ?? '' },
    task: { id: claims?.task.id ?? '' },
    jti: claims?.jti,
    action: subject.action,
    method: subject.method,
    path: subject.path,
    bodyDigest: subject.bodyDigest,
    createdAt: ctx.now,
    expiresAt: ctx.now + holds.ttlMs,
    binding: holdBinding(subject),
  };
  const hold: Hold = { ...base, approvalReference: approvalReference(ctx, base) };
  await guarded(() => holds.store.create(hold, holds.retainMs));
  auditHold({ audit }, 'created', hold, hold.agent.id, ctx.now);
  notify(ctx, hold);
  ctx.detail.hold = holdSummary(hold);
  return held('approval_required', hold.id, hold.approvalReference, { check: 'oversight', action: hold.action, hold: hold.id });
}

async function retry(ctx: CheckContext, id: string): Promise<Deny | undefined> {
  const { holds, audit } = ctx.options;
  const subject = holdSubject(ctx, holds.match);
  const result: HoldUpdate = await guarded(() => holds.store.consume(id, holdBinding(subject), ctx.now));
  if (!result.ok) {
    const detail = { check: 'oversight', hold: id, problem: result.problem, ...mismatchDetail(result.hold, subject) };
    return held(REASON[result.problem], id, result.hold?.approvalReference ?? ctx.claims?.oversight?.approval_reference, detail);
  }
  const hold = result.hold;
  auditHold({ audit }, 'consumed', hold, ctx.claims?.agent.id ?? hold.agent.id, ctx.now);
  ctx.detail.hold = { ...holdSummary(hold), approvedBy: hold.approvedBy };
  return undefined;
}

function held(reason: ReasonCode, id: string, reference: string | undefined, detail: Record<string, unknown>): Deny {
  const body = reference === undefined ? { hold_id: id } : { hold_id: id, approval_reference: reference };
  return deny(reason, detail, { headers: { [HOLD_HEADER]: id }, body });
}

/** `approvalUrl(hold)` if configured (a throw or a non-string falls back), else the token's `approval_reference`. */
function approvalReference(ctx: CheckContext, hold: Hold): string | undefined {
  const build = ctx.options.holds.approvalUrl;
  if (build) {
    try {
      const url = build(Object.freeze({ ...hold }));
      if (typeof url === 'string' && url.length > 0) return url;
    } catch {
      ctx.detail.approvalUrl = 'options.oversight.approvalUrl threw; fell back to the token reference';
    }
  }
  return ctx.claims?.oversight?.approval_reference;
}

/** `onHold(hold)`, detached: neither a throw nor a rejected promise reaches the request. */
function notify(ctx: CheckContext, hold: Hold): void {
  const onHold = ctx.options.holds.onHold;
  if (!onHold) return;
  const frozen = Object.freeze({ ...hold });
  Promise.resolve()
    .then(() => onHold(frozen))
    .catch(() => undefined);
}

/** Which recorded fields differ from this retry (audit only; the client hears `hold_mismatch`). */
function mismatchDetail(hold: Hold | undefined, subject: HoldSubject): Record<string, unknown> {
  if (!hold) return {};
  const differs: string[] = [];
  if (hold.action !== subject.action) differs.push('action');
  if (hold.method !== subject.method) differs.push('method');
  if (hold.path !== subject.path) differs.push('path');
  if ((hold.bodyDigest ?? '') !== (subject.bodyDigest ?? '')) differs.push('body');
  if (differs.length === 0 && hold.binding !== holdBinding(subject)) differs.push('subject'); // another token, agent or task
  return differs.length ? { differs } : {};
}

async function guarded<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof InfrastructureError) throw error;
    throw new InfrastructureError('store_unavailable', 'hold store failed', { cause: error });
  }
}
