import type { CheckContext } from '../checks/context.js';
import type { AuditEvent } from './event.js';

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

/** Build the audit event of one decision. The token appears only as its hash. */
export function buildAuditEvent(ctx: CheckContext, outcome: { status: number; error?: string; reason?: string }, startedAt: number): AuditEvent {
  const c = ctx.claims;
  return {
    time: isoTime(ctx.now),
    decision: outcome.status < 400 ? 'allow' : 'deny',
    status: outcome.status,
    error: outcome.error,
    reason: outcome.reason,
    detail: Object.keys(ctx.detail).length ? ctx.detail : undefined,
    action: ctx.route?.action,
    agent: c && { id: c.agent.id, type: c.agent.type, operator: c.agent.operator },
    task: c && { id: c.task.id, purpose: c.task.purpose },
    iss: c?.iss,
    sub: c?.sub,
    jti: c?.jti,
    tokenHash: ctx.tokenHash,
    delegation: c?.delegation && { depth: c.delegation.depth, chain: c.delegation.chain },
    traceId: c?.audit?.trace_id ?? traceParentId(ctx.request.headers.traceparent),
    method: ctx.method,
    path: pathOf(ctx.request.url),
    latencyMs: performance.now() - startedAt,
  };
}

/** W3C Trace Context: `version-traceid-parentid-flags`; the trace id is 32 lower-case hex digits. */
function traceParentId(header: string | readonly string[] | undefined): string | undefined {
  const value = typeof header === 'string' ? header : undefined;
  const match = value && /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/.exec(value.trim());
  return match ? match[1] : undefined;
}

function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start < 0) return '/';
  const end = url.indexOf('?', start);
  return end < 0 ? url.slice(start) : url.slice(start, end);
}
