import type { RequestInfo } from '../types/request.js';

/**
 * The content codings applied to a request body other than `identity` (RFC 9110 §8.4: `Content-Encoding`
 * lists them in the order they were applied, case-insensitively; empty list elements do not count,
 * §5.6.1), across repeated fields. Empty when the body is sent as it is. A value that is not a string (a
 * caller-built `RequestInfo`) cannot be read as identity: it is returned as one unknown coding.
 *
 * @example
 * encodedWith('gzip, identity'); // ['gzip']
 * encodedWith('identity'); // []
 */
export function encodedWith(value: RequestInfo['headers'][string]): string[] {
  if (value === undefined) return [];
  const fields: readonly unknown[] = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [value];
  const codings: string[] = [];
  for (const field of fields) {
    if (typeof field !== 'string') {
      codings.push('(not a string)');
      continue;
    }
    for (const element of field.split(',')) {
      const coding = element.trim().toLowerCase();
      if (coding !== '' && coding !== 'identity') codings.push(coding.slice(0, 32));
    }
  }
  return codings;
}
