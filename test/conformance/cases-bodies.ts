/**
 * Request bodies: what the guard reads in them, and what it refuses to count. A content coding on a
 * size-limited route (issue 23, defect 6): `max_request_size` counts the bytes as sent, so a body the app's
 * parser would decode (`gzip`, `deflate`, `br`, stacked codings) is refused with 415 and
 * `Accept-Encoding: identity` (RFC 9110 §15.5.16, §12.5.3).
 */
import { gzipSync } from 'node:zlib';
import { OK, constrained, type ConformanceCase, type Expectation } from './model.js';

const sized = constrained({ max_request_size: 1024 });
/** 200 KB of JSON that gzip turns into a few hundred bytes. */
const BOMB = gzipSync(JSON.stringify({ text: 'a'.repeat(200_000) }));
const unsupported: Expectation = { status: 415, error: 'invalid_request', reason: 'content_encoding_unsupported', headers: { 'accept-encoding': 'identity' } };
const encoded = (encoding: string, body: string | Uint8Array = BOMB) => ({ method: 'POST', body, contentType: 'application/json', headers: { 'content-encoding': encoding } });

const encodings: ConformanceCase[] = [
  { name: 'encoding: gzip on a size-limited route is refused, never inflated uncounted', token: sized, request: encoded('gzip'), expect: unsupported },
  { name: 'encoding: a coding stacked with identity is not identity', token: sized, request: encoded('gzip, identity'), expect: unsupported },
  { name: 'encoding: the coding name is case-insensitive', token: sized, request: encoded('Deflate', '{}'), expect: unsupported },
  { name: 'encoding: identity is counted as sent', token: sized, request: encoded('identity', '{"a":1}'), expect: { status: 200, body: { received: 7 } } },
  { name: 'encoding: a route without max_request_size leaves the coding to the app', request: encoded('gzip'), expect: OK },
];

/** The body cases, in pipeline order. */
export const bodyCases: readonly ConformanceCase[] = [...encodings];
