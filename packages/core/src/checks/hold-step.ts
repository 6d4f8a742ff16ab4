import { deny, type Deny } from '../base/deny/deny.js';
import type { CheckContext } from './context.js';
import type { ReasonCode } from '../base/deny/reasons.js';
import type { Hold, HoldProblem, HoldUpdate } from '../base/stores/holds.js';
import { scopeOf } from '../concerns/token/issuer-scope.js';
import { InfrastructureError } from '../base/util/errors.js';
import { auditHold, holdSummary } from '../base/audit/operation-events.js';
import { HOLD_HEADER } from '../concerns/holds/hold-id.js';
import { holdPreview } from '../concerns/holds/preview.js';
import { holdOperation } from '../concerns/holds/operation.js';
import { holdBinding, type HeldBody, type HoldSubject } from '../concerns/holds/hold-binding.js';
import { newHoldId } from '../concerns/holds/hold-id.js';

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
 * Step 8 for a request to be held, once its quota admitted it (a held request is charged to the
 * capability's rate limits like any other; its approved retry is not charged again): create a pending
 * hold within the agent's hold budget (the agent of this issuer scope: another issuer's agent with the same
 * id has its own), tell `onHold` once, and deny 403 `approval_required` with its id (body `hold_id` and
 * header). A spent budget is 429 `hold_quota_exceeded`; nothing is created then.
 * Never fails open: a store fault is a 503 even with `onStoreError: 'open'`, since admitting would skip
 * the human.
 */
export async function createHeld(ctx: CheckContext, subject: HeldBody): Promise<Deny> {
  const holds = ctx.settings.holds;
  const { audit } = ctx.runtime;
  const claims = ctx.claims!; // step 7 ran only for a verified token
  const base: Hold = {
    id: newHoldId(claims.agent.id),
    status: 'pending',
    // The authorization server, by its scope's name: the agent's budget and the approver's view of it are its own.
    issuer: scopeOf(ctx.runtime.token.keys.scopes, claims.iss).issuer,
    agent: { id: claims.agent.id, operator: claims.agent.operator },
    task: { id: claims.task.id, purpose: claims.task.purpose },
    chain: claims.delegation?.chain,
    jti: claims.jti,
    action: subject.action,
    method: subject.method,
    path: subject.path,
    bodyDigest: subject.bodyDigest,
    ...describedOf(ctx, subject),
    createdAt: ctx.now,
    expiresAt: ctx.now + holds.ttlMs,
    binding: holdBinding(subject),
  };
  const hold: Hold = { ...base, approvalReference: approvalReference(ctx, base) };
  const created = await guarded(() =>
    ctx.runtime.holds.store.create(hold, { retainMs: holds.retainMs, budget: holds.budget }),
  );
  if (!created.ok) {
    const retryAfter = String(Math.max(1, Math.ceil((created.retryAfterMs ?? 60_000) / 1000)));
    return deny(
      'hold_quota_exceeded',
      { check: 'oversight', budget: created.problem },
      { headers: { 'retry-after': retryAfter } },
    );
  }
  auditHold({ audit }, 'created', hold, hold.agent.id, ctx.now);
  notify(ctx, hold);
  ctx.detail.hold = holdSummary(hold);
  return held('approval_required', hold.id, hold.approvalReference, {
    check: 'oversight',
    action: hold.action,
    hold: hold.id,
  });
}

/**
 * Step 8 for the retry of a held request, once its DPoP proof (if any) was accepted: consume the approved
 * hold if it matches exactly this request — once, whatever the replicas — and admit. Any refusal leaves
 * the hold as it was, so nothing refused after a human approved can use the approval up.
 */
export async function consumeApproved(ctx: CheckContext, id: string, subject: HoldSubject): Promise<Deny | undefined> {
  const { audit } = ctx.runtime;
  const result: HoldUpdate = await guarded(() => ctx.runtime.holds.store.consume(id, holdBinding(subject), ctx.now));
  if (!result.ok) {
    const detail = { check: 'oversight', hold: id, problem: result.problem, ...mismatchDetail(result.hold, subject) };
    return held(
      REASON[result.problem],
      id,
      result.hold?.approvalReference ?? ctx.claims?.oversight?.approval_reference,
      detail,
    );
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

/**
 * What the approver is shown of the request: its operation (an MCP tool call: name and arguments) when the
 * integration described one — in place of the body preview, which would show the envelope, or nothing
 * (a protocol that binds its own digest gives no bytes) — else the body preview.
 */
function describedOf(ctx: CheckContext, subject: HeldBody): Pick<Hold, 'preview' | 'operation'> {
  const given = ctx.request.operation;
  if (given === undefined) return { preview: previewOf(ctx, subject) };
  const secrets = ctx.credentials ? [ctx.credentials.token, ...ctx.credentials.proofs] : [];
  return { preview: undefined, operation: holdOperation(given, ctx.settings.holds.preview, secrets) };
}

/** The hold's body preview (`oversight.preview`), for a held request that has a body. */
function previewOf(ctx: CheckContext, subject: HeldBody): Hold['preview'] {
  const settings = ctx.settings.holds.preview;
  if (!settings || subject.bodyDigest === undefined) return undefined;
  const secrets = ctx.credentials ? [ctx.credentials.token, ...ctx.credentials.proofs] : [];
  return holdPreview(subject.content, ctx.request.headers['content-type'], settings, secrets);
}

/**
 * `approvalUrl(hold)` if configured, else the page of the hold in the approval console when one is
 * mounted for this guard (a throw or a non-string falls back), else the token's `approval_reference`.
 */
function approvalReference(ctx: CheckContext, hold: Hold): string | undefined {
  const build = ctx.settings.holds.approvalUrl ?? ctx.runtime.holds.consoleLink.link;
  if (build) {
    try {
      const url = build(Object.freeze({ ...hold }));
      if (typeof url === 'string' && url.length > 0) return url;
    } catch {
      ctx.detail.approvalUrl = 'the approval URL builder threw; fell back to the token reference';
    }
  }
  return ctx.claims?.oversight?.approval_reference;
}

/** `onHold(hold)`, detached: neither a throw nor a rejected promise reaches the request; a failure is logged. */
function notify(ctx: CheckContext, hold: Hold): void {
  const onHold = ctx.settings.holds.onHold;
  if (!onHold) return;
  const frozen = Object.freeze({ ...hold });
  const logger = ctx.runtime.logger;
  Promise.resolve()
    .then(() => onHold(frozen))
    .catch((error: unknown) =>
      logger.warn(
        { event: 'oversight.on_hold_failed', hold: hold.id, cause: String((error as Error)?.message ?? error) },
        'options.oversight.onHold failed',
      ),
    );
}

/** Which recorded fields differ from this retry (audit only; the client hears `hold_mismatch`). */
function mismatchDetail(hold: Hold | undefined, subject: HoldSubject): Record<string, unknown> {
  if (!hold) return {};
  const differs: string[] = [];
  if (hold.action !== subject.action) differs.push('action');
  if (hold.method !== subject.method) differs.push('method');
  if (hold.path !== subject.path) differs.push('path');
  if ((hold.bodyDigest ?? '') !== (subject.bodyDigest ?? '')) differs.push('body');
  if (differs.length === 0 && hold.binding !== holdBinding(subject)) differs.push('subject'); // another token, agent, task or issuer
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
