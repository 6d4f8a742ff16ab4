import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuditEvent } from '../../base/audit/event.js';
import { denyBody } from '../../base/deny/body.js';
import { REASONS, type ReasonCode } from '../../base/deny/reasons.js';
import { emitAudit } from '../../base/audit/safe-sink.js';
import type { GuardRuntime } from '../../options/resolve.js';
import type { Decision } from '../../base/types/decision.js';
import { bodyTapOf } from './body.js';
import { limitResponseBody } from './limit-response-body.js';
import { writeDeny } from './write-deny.js';

/** What an adapter may do when a limit refuses a request after it was allowed. */
export interface EnforceLimitsHooks {
  /**
   * Called after the 413 for a body over `maxRequestSize` was written (Fastify hijacks the reply, Koa stops
   * responding).
   */
  readonly onRequestTooLarge?: (() => void) | undefined;
}

/**
 * Enforce an allowed decision's `limits` on a Node request/response pair — the same way in every
 * adapter: a body that grows over `maxRequestSize` (with or without `Content-Length`: defence in depth)
 * gets a 413 `request_too_large` and the connection is closed; a response over `maxResponseSize` is cut
 * off and the socket destroyed. Returns `false` when the request was already refused (the body crossed
 * the limit while the guard ran): then the handler must not run. A decision without limits costs nothing.
 * Each event is audited as an `enforcement` event of the same request.
 */
export function enforceLimits(
  runtime: Pick<GuardRuntime, 'audit' | 'now'>,
  req: IncomingMessage,
  res: ServerResponse,
  decision: Decision,
  hooks: EnforceLimitsHooks = {},
): boolean {
  const limits = decision.limits;
  if (!limits) return true;
  let proceed = true;
  if (validLimit(limits.maxRequestSize)) {
    const tap = bodyTapOf(req);
    const refuse = (received: number): void => {
      proceed = false;
      closeAfterResponse(res);
      writeDeny(res, { status: 413, headers: {}, body: denyBody('request_too_large') });
      enforcement(runtime, decision, 'request_too_large', {
        constraint: 'max_request_size',
        limit: limits.maxRequestSize,
        received,
        streamed: true,
      });
      hooks.onRequestTooLarge?.();
    };
    // A body read before the guard could count it has an unknown size: fail closed.
    if (tap?.late && req.headers['content-length'] === undefined) refuse(-1);
    else tap?.limit(limits.maxRequestSize, refuse);
  }
  if (validLimit(limits.maxResponseSize)) {
    limitResponseBody(res, limits.maxResponseSize, ({ limit, attempted }) =>
      enforcement(runtime, decision, 'constraint_violation', { constraint: 'max_response_size', limit, attempted }),
    );
  }
  return proceed;
}

/** The audit event of a limit enforced after the decision: same identity, what happened, why. */
function enforcement(
  runtime: Pick<GuardRuntime, 'audit' | 'now'>,
  decision: Decision,
  reason: ReasonCode,
  detail: Record<string, unknown>,
): void {
  if (!runtime.audit) return;
  const row = REASONS[reason];
  const event: AuditEvent = {
    ...decision.audit,
    kind: 'enforcement',
    time: new Date(runtime.now()).toISOString(),
    decision: 'deny',
    status: reason === 'request_too_large' ? 413 : row.status,
    error: row.error,
    reason,
    detail,
  };
  emitAudit(runtime, event);
}

function closeAfterResponse(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader('connection', 'close');
  if (res.writableFinished) res.destroy();
  else res.once('finish', () => res.destroy());
}

const validLimit = (value: number | undefined): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0;
