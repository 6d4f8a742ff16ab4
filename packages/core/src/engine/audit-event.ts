import type { CheckContext } from '../checks/context.js';
import { clientIp } from '../base/request/client-ip.js';
import { requestIdOf, traceParentId } from '../base/request/correlation.js';
import type { AuditEvent } from '../base/audit/event.js';

/** The ISO time of the last millisecond seen: requests in the same millisecond share one string. */
let lastMs = Number.NaN;
let lastIso = '';
function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastIso = Number.isFinite(ms) ? new Date(ms).toISOString() : ''; // a broken injected clock must not throw here
    lastMs = ms;
  }
  return lastIso;
}

/** What a decision's audit event records about its outcome. */
export interface AuditOutcome {
  readonly status: number;
  readonly error?: string | undefined;
  readonly reason?: string | undefined;
}

/**
 * The audit event of one decision, built on first use and then kept: without an audit sink (and
 * outside debug mode) nobody asks for it, and nothing is built. The latency is taken now, at the
 * decision; everything else is read from the request's context, which no longer changes.
 */
export function lazyAuditEvent(ctx: CheckContext, outcome: AuditOutcome, startedAt: number): () => AuditEvent {
  const latencyMs = performance.now() - startedAt;
  let event: AuditEvent | undefined;
  return () => (event ??= buildAuditEvent(ctx, outcome, latencyMs));
}

/** Build the audit event of one decision. The token appears only as its hash. */
function buildAuditEvent(ctx: CheckContext, outcome: AuditOutcome, latencyMs: number): AuditEvent {
  const c = ctx.claims;
  const grantId = c?.extra.grant_id;
  return {
    time: isoTime(ctx.now),
    decision: outcome.status < 400 ? 'allow' : 'deny',
    status: outcome.status,
    error: outcome.error,
    reason: outcome.reason,
    detail: Object.keys(ctx.detail).length ? ctx.detail : undefined,
    wouldDeny: ctx.wouldDeny,
    action: ctx.route?.action,
    agent: c && { id: c.agent.id, type: c.agent.type, operator: c.agent.operator },
    task: c && { id: c.task.id, purpose: c.task.purpose },
    iss: c?.iss,
    sub: c?.sub,
    jti: c?.jti,
    grantId: typeof grantId === 'string' ? grantId : undefined,
    tokenHash: ctx.tokenHash,
    delegation: c?.delegation && { depth: c.delegation.depth, chain: c.delegation.chain },
    traceId: c?.audit?.trace_id ?? traceParentId(ctx.request.headers.traceparent),
    requestId: requestIdOf(ctx.request.headers),
    clientIp: clientIp(ctx),
    method: ctx.method,
    path: pathOf(ctx.request.url),
    latencyMs,
  };
}

function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start < 0) return '/';
  const end = url.indexOf('?', start);
  return end < 0 ? url.slice(start) : url.slice(start, end);
}
