/**
 * Request bodies: what the guard reads in them, and what it refuses to count. A token in an
 * `application/x-www-form-urlencoded` body (RFC 6750 §2.2, issue 23, defect 1) is refused like one in the
 * query (400 `credentials_in_query`), with or without a header token, and an app's own login after the guard
 * never sees it; other media types are not credentials; a form body over `maxFormBodySize` is refused
 * without a header token (413 `form_body_too_large`). The drivers mount no body parser: the guard reads the
 * bytes as they arrive and the handler still counts every one (`received`). A content coding on a
 * size-limited route (issue 23, defect 6): `max_request_size` counts the bytes as sent, so a body the app's
 * parser would decode (`gzip`, `deflate`, `br`, stacked codings) is refused with 415 and
 * `Accept-Encoding: identity` (RFC 9110 §15.5.16, §12.5.3).
 */
import { gzipSync } from 'node:zlib';
import { OK, constrained, type ConformanceCase, type Expectation } from './model.js';

const sized = constrained({ max_request_size: 1024 });
/** 200 KB of JSON that gzip turns into a few hundred bytes. */
const BOMB = gzipSync(JSON.stringify({ text: 'a'.repeat(200_000) }));
const unsupported: Expectation = {
  status: 415,
  error: 'invalid_request',
  reason: 'content_encoding_unsupported',
  headers: { 'accept-encoding': 'identity' },
};
// application/octet-stream (the default), which every driver's handler counts raw: the rule ignores the media type
const encoded = (encoding: string, body: string | Uint8Array = BOMB) => ({
  method: 'POST',
  body,
  headers: { 'content-encoding': encoding },
});

/** A request whose body is refused for its coding. */
const refused = (encoding: string) => ({ request: encoded(encoding), expect: unsupported });

const encodings: ConformanceCase[] = [
  { name: 'encoding: gzip on a size-limited route is never inflated uncounted', token: sized, ...refused('gzip') },
  { name: 'encoding: a coding stacked with identity is not identity', token: sized, ...refused('gzip, identity') },
  { name: 'encoding: the coding name is case-insensitive', token: sized, ...refused('Deflate') },
  {
    name: 'encoding: identity is counted as sent',
    token: sized,
    request: encoded('identity', '{"a":1}'),
    expect: { status: 200, body: { received: 7 } },
  },
  { name: 'encoding: a route without max_request_size leaves it to the app', request: encoded('gzip'), expect: OK },
];

const FORM = 'application/x-www-form-urlencoded';
const coexist = { authRequired: false };
/**
 * A write route that passes requests without an AAP credential to the app (unsafe methods admit agents only by
 * default).
 */
const passesOthers = { action: 'search.web', agentsOnly: false } as const;
const anonymous = { authorization: null };
const form = (body: string, extra = {}) => ({ method: 'POST', contentType: FORM, body, ...extra });
const inQuery: Expectation = { status: 400, error: 'invalid_request', reason: 'credentials_in_query' };
const unread: Expectation = { status: 413, error: 'invalid_request', reason: 'form_body_too_large' };
const large = `title=${'x'.repeat(100)}`;

const forms: ConformanceCase[] = [
  {
    name: 'form body: a token in it is refused, never passed on (coexistence)',
    options: coexist,
    request: form('access_token=$TOKEN', { headers: anonymous }),
    expect: inQuery,
  },
  {
    name: 'form body: a percent-encoded name counts',
    options: coexist,
    request: form('a=1&access%5Ftoken=$TOKEN', { headers: anonymous }),
    expect: inQuery,
  },
  { name: 'form body: beside a header token (one method)', request: form('access_token=$TOKEN'), expect: inQuery },
  {
    name: 'form body: without a token it goes on, every byte to the app',
    options: coexist,
    route: passesOthers,
    request: form('title=hello', { headers: anonymous }),
    expect: { status: 200, body: { action: null, received: 11 } },
  },
  {
    name: 'form body: with a header token, the token is checked in full',
    request: form('title=hello'),
    expect: { status: 200, body: { action: 'search.web', received: 11 } },
  },
  {
    name: 'form body: a JSON access_token is no credential',
    options: coexist,
    route: passesOthers,
    request: { method: 'POST', contentType: 'application/json', body: '{"access_token":"$TOKEN"}', headers: anonymous },
    expect: { status: 200, body: { action: null } },
  },
  {
    name: 'form body: over maxFormBodySize without a header token',
    options: { ...coexist, maxFormBodySize: 16 },
    request: form(large, { headers: anonymous }),
    expect: unread,
  },
  {
    name: 'form body: over maxFormBodySize while streaming (chunked)',
    options: { ...coexist, maxFormBodySize: 16 },
    request: form(large, { headers: anonymous, chunked: true }),
    expect: unread,
  },
  {
    name: 'form body: over maxFormBodySize with a header token',
    options: { maxFormBodySize: 16 },
    request: form(large),
    expect: { status: 200, body: { received: large.length } },
  },
];

/** The body cases, in pipeline order. */
export const bodyCases: readonly ConformanceCase[] = [...forms, ...encodings];
