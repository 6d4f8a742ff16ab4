import type { RequestInfo } from '../types/request.js';

/** A header value in either shape `RequestInfo.headers` allows. */
type HeaderValue = RequestInfo['headers'][string];

/**
 * The value of a header that must be sent exactly once, or `undefined` when it is absent or repeated.
 *
 * @example
 * singleHeader(['task-1']); // 'task-1'
 * singleHeader(['a', 'b']); // undefined
 */
export function singleHeader(value: HeaderValue): string | undefined {
  if (typeof value === 'string') return value;
  return Array.isArray(value) && value.length === 1 && typeof value[0] === 'string' ? value[0] : undefined;
}

/**
 * Every comma-separated element of a list header (RFC 9110 §5.6.1), trimmed, across repeated fields.
 *
 * @example
 * listHeader(['203.0.113.7, 10.0.0.1', '10.0.0.2']); // ['203.0.113.7', '10.0.0.1', '10.0.0.2']
 */
export function listHeader(value: HeaderValue): string[] {
  if (value === undefined) return [];
  // A value of another type (from a caller-built RequestInfo) becomes an empty element: malformed, not absent.
  const fields = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [''];
  return fields
    .flatMap((field) => (typeof field === 'string' ? field.split(',') : ['']))
    .map((element) => element.trim());
}
