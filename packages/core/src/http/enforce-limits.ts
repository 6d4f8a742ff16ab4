import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Guard } from '../create-guard.js';
import type { Decision } from '../types.js';
import { adapterDecision } from './adapter-decision.js';
import { limitRequestBody } from './limit-request-body.js';
import { limitResponseBody } from './limit-response-body.js';
import { writeDeny } from './write-deny.js';

/** Hooks of `enforceLimits`, e.g. for metrics; the audit event is emitted either way. */
export interface EnforceLimitsHooks {
  /** Called after the 413 for a streamed body over `maxRequestSize` was written. */
  readonly onRequestTooLarge?: ((decision: Decision) => void) | undefined;
  /** Called when the response was cut off after `maxResponseSize` bytes. */
  readonly onResponseCutOff?: ((decision: Decision) => void) | undefined;
}

/**
 * Enforce an allowed decision's `limits` on a Node request/response pair — the same way in every
 * adapter: a chunked body over `maxRequestSize` gets a 413 `request_too_large` deny and the
 * connection is closed; a response over `maxResponseSize` is cut off and the socket destroyed.
 * Returns `false` when the request was already refused (the body had crossed the limit while the
 * guard ran): then the handler must not run. Call `trackRequestBody(req)` first thing, before the
 * guard's `await`, so bytes arriving meanwhile are counted.
 * Each event is an audited deny (`request_too_large`, or `constraint_violation` with
 * `detail.constraint = 'max_response_size'`) sent to the guard's audit sink.
 *
 * @example
 * const decision = await guard.check(nodeRequestInfo(req), route);
 * if (!decision.allowed) return writeDeny(res, decision);
 * if (enforceLimits(guard, req, res, decision)) next();
 */
export function enforceLimits(guard: Pick<Guard, 'options'>, req: IncomingMessage, res: ServerResponse, decision: Decision, hooks: EnforceLimitsHooks = {}): boolean {
  const limits = decision.limits;
  if (!limits) return true;
  const request = { method: req.method ?? '', path: decision.audit.path, base: decision };
  let proceed = true;
  if (validLimit(limits.maxRequestSize)) {
    proceed = limitRequestBody(req, res, limits.maxRequestSize, ({ limit, received }) => {
      const denied = adapterDecision(guard, 'request_too_large', { ...request, detail: { constraint: 'max_request_size', limit, received, streamed: true } });
      writeDeny(res, denied);
      hooks.onRequestTooLarge?.(denied);
    });
  }
  if (validLimit(limits.maxResponseSize)) {
    limitResponseBody(res, limits.maxResponseSize, ({ limit, attempted }) => {
      const denied = adapterDecision(guard, 'constraint_violation', { ...request, detail: { constraint: 'max_response_size', limit, attempted } });
      hooks.onResponseCutOff?.(denied);
    });
  }
  return proceed;
}

const validLimit = (value: number | undefined): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;
