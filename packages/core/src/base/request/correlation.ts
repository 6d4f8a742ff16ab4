import { nextRequestId } from './request-id.js';
import type { RequestInfo } from '../types/request.js';

/** `X-Request-Id` as we accept it: bounded, and only characters that are safe in any log line. */
const REQUEST_ID = /^[\w.:@/+=~-]{1,128}$/;

/**
 * W3C Trace Context `traceparent` (https://www.w3.org/TR/trace-context/ §3.2):
 * `version-traceid-parentid-flags`, lower-case hex. Version `ff` is invalid; version `00` has exactly
 * four fields, later versions may append more (`-…`), which a version-00 parser ignores.
 */
const TRACEPARENT = /^([\da-f]{2})-([\da-f]{32})-([\da-f]{16})-[\da-f]{2}(-[^\s]*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_PARENT = '0'.repeat(16);

/**
 * The request's correlation id for its audit event: a well-formed `X-Request-Id`, else the W3C
 * `traceparent` trace id, else a generated one (a per-process random prefix and a counter: no
 * randomness per request). A header sent twice, too long or with unexpected characters is ignored —
 * an attacker's bytes are never echoed into the audit log.
 *
 * @example
 * requestIdOf({ 'x-request-id': 'f3c1…' }) // 'f3c1…'
 * requestIdOf({}) // 'q3V0cGzR8kYw.1'
 */
export function requestIdOf(headers: RequestInfo['headers']): string {
  const given = headers['x-request-id'];
  if (typeof given === 'string' && REQUEST_ID.test(given)) return given;
  return traceParentId(headers.traceparent) ?? nextRequestId();
}

/**
 * The trace id of a valid W3C `traceparent` header (all-zero ids and version `ff` are invalid), or
 * `undefined`.
 *
 * @example
 * traceParentId('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01') // '4bf92f3577b34da6a3ce929d0e0e4736'
 */
export function traceParentId(header: string | readonly string[] | undefined): string | undefined {
  if (typeof header !== 'string' || header.length > 512) return undefined;
  const match = TRACEPARENT.exec(header.trim());
  if (!match || match[1] === 'ff' || match[2] === ZERO_TRACE || match[3] === ZERO_PARENT) return undefined;
  if (match[1] === '00' && match[4] !== undefined) return undefined;
  return match[2];
}
