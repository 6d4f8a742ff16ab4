import type { RequestInfo } from '../types.js';

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
  return value?.length === 1 ? value[0] : undefined;
}

/**
 * Every comma-separated element of a list header (RFC 9110 §5.6.1), trimmed, across repeated fields.
 *
 * @example
 * listHeader(['203.0.113.7, 10.0.0.1', '10.0.0.2']); // ['203.0.113.7', '10.0.0.1', '10.0.0.2']
 */
export function listHeader(value: HeaderValue): string[] {
  if (value === undefined) return [];
  const joined = typeof value === 'string' ? value : value.join(',');
  return joined.split(',').map((element) => element.trim());
}
