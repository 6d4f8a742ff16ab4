import type { ServerResponse } from 'node:http';
import type { Decision } from '../../base/types/decision.js';
import { denyResponse, type DenyFormatter, type DenyResponse } from './deny-response.js';

/** Marks a response whose body is the guard's own deny (exempt from `max_response_size`). */
export const DENY_WRITE = Symbol.for('aap-guard.deny-write');

/**
 * Write a deny to a Node response: its status, every header (WWW-Authenticate, Retry-After, RateLimit…,
 * `Cache-Control: no-store`) and the body. When the response has already been started, the socket is
 * destroyed instead, so a truncated response can never pass for a complete one.
 *
 * @example
 * if (!decision.allowed) return writeDeny(res, decision);
 */
export function writeDeny(
  res: ServerResponse,
  deny: Pick<Decision, 'status' | 'headers' | 'body'> | DenyResponse,
  format?: DenyFormatter,
): void {
  if (res.headersSent || res.writableEnded) {
    res.destroy();
    return;
  }
  const response = isResponse(deny) ? deny : denyResponse(deny, format);
  res.statusCode = response.status;
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  res.setHeader('content-length', Buffer.byteLength(response.body));
  (res as ServerResponse & { [DENY_WRITE]?: true })[DENY_WRITE] = true; // a deny is never cut off by limitResponseBody
  res.end(response.body);
}

const isResponse = (value: object): value is DenyResponse =>
  typeof (value as DenyResponse).body === 'string' || (value as DenyResponse).body instanceof Uint8Array;
