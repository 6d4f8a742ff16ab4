import type { ServerResponse } from 'node:http';
import type { Decision } from '../types.js';

/** Marks a response whose body is the guard's own deny (exempt from `max_response_size`). */
export const DENY_WRITE = Symbol.for('aap-guard.deny-write');

/**
 * Write a deny `Decision` to a Node response: its status, its headers (WWW-Authenticate,
 * Retry-After, RateLimit…), `Cache-Control: no-store` and the JSON body. Does nothing when the
 * response has already been started (then the socket is destroyed instead, so a truncated
 * response can never pass for a complete one).
 *
 * @example
 * if (!decision.allowed) return writeDeny(res, decision);
 */
export function writeDeny(res: ServerResponse, decision: Pick<Decision, 'status' | 'headers' | 'body'>, extraHeaders?: Readonly<Record<string, string>>): void {
  if (res.headersSent || res.writableEnded) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(decision.body ?? {});
  res.statusCode = decision.status;
  for (const [name, value] of Object.entries(decision.headers)) res.setHeader(name, value);
  if (extraHeaders) for (const [name, value] of Object.entries(extraHeaders)) res.setHeader(name, value);
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.setHeader('content-length', Buffer.byteLength(body));
  (res as ServerResponse & { [DENY_WRITE]?: true })[DENY_WRITE] = true; // a deny is never cut off by limitResponseBody
  res.end(body);
}
