/**
 * The form-body rule of credential extraction, through `guard.check()`: an `access_token` in an
 * `application/x-www-form-urlencoded` body is refused (400 `credentials_in_query`), found in the bytes
 * (`RequestInfo.body.content`) or in what the app's parser made of them (`RequestInfo.parsedBody`); a form
 * body the guard cannot read is refused without a header token (413 `form_body_too_large`) and left to
 * the header token's full check with one. Over real HTTP on every adapter:
 * test/regressions/form-body-token-skips-guard.test.ts.
 */
import { createGuard, type BodyContentResult, type Guard, type GuardOptions, type RequestInfo } from '@aap-guard/core';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { NOW } from '../../helpers/tokens.js';

let as: TestIssuer;
let options: GuardOptions;
let coexisting: Guard;
let strict: Guard;
let token: string;
const withHeader = { authorization: '' };

beforeAll(async () => {
  as = await createIssuer({ now: () => NOW });
  options = { issuer: as.issuer, audience: as.audience, jwks: as.jwks, now: () => NOW, logger: false };
  coexisting = createGuard({ ...options, authRequired: false });
  strict = createGuard(options);
  token = await as.mint();
  withHeader.authorization = `Bearer ${token}`;
});

const FORM = 'application/x-www-form-urlencoded';
const REFUSED = '400 credentials_in_query';
const UNREAD = '413 form_body_too_large';

interface Post extends Partial<RequestInfo> {
  readonly type?: string;
  readonly length?: number;
  readonly authorization?: string;
}

/** A POST with a form body of `length` bytes (Content-Length), and the given request members. */
function post(extra: Post = {}): RequestInfo {
  const { type = FORM, length = 10, authorization, ...rest } = extra;
  const headers: Record<string, string> = { 'content-type': type, 'content-length': String(length) };
  if (authorization) headers.authorization = authorization;
  return { method: 'POST', url: 'https://api.example.com/v1/search', headers, ...rest };
}

/** A body reader that answers `content()` with these bytes (or a problem), as the Node tap does. */
function bytes(form: string | BodyContentResult): Pick<RequestInfo, 'body'> {
  const read = (max: number): BodyContentResult => {
    if (typeof form !== 'string') return form;
    return Buffer.byteLength(form) > max ? { problem: 'too_large' } : { content: Buffer.from(form) };
  };
  const digest = () => Promise.resolve({ problem: 'unavailable' as const });
  return { body: { digest, content: (max) => Promise.resolve(read(max)) } };
}

const outcome = async (guard: Guard, request: RequestInfo): Promise<string> => {
  const d = await guard.check(request, { action: 'search.web', agentsOnly: false });
  return d.allowed ? 'allow' : `${d.status} ${d.reason}`;
};

describe('a token in a form body (RFC 6750 §2.2)', () => {
  it('is found in the bytes under any name a form parser reads as a top-level access_token', async () => {
    const named = ['access_token=x', 'a=1&access_token=', 'access%5Ftoken=x', '%61ccess_token=x', 'access_token'];
    const qs = ['%5Baccess_token%5D=x', '[access_token]=x', 'access_token[]=x', '.access_token=x'];
    for (const form of [...named, ...qs]) expect(await outcome(coexisting, post(bytes(form))), form).toBe(REFUSED);
    const clean = [
      'title=access_token',
      'access_tokens=x',
      'x%5Baccess_token%5D=1',
      'my_access_token=',
      'access+token=1',
    ];
    for (const form of clean) expect(await outcome(coexisting, post(bytes(form))), form).toBe('allow');
  });

  it('is found in what the parser made of the body: an object, a Map, URLSearchParams, a string or bytes', async () => {
    const parsed: unknown[] = [
      { access_token: 'x' },
      Object.assign(Object.create(null) as object, { access_token: ['x'] }),
      new Map([['access_token', 'x']]),
      new URLSearchParams('access_token=x'),
      'access%5Ftoken=x',
      Buffer.from('access_token=x'),
    ];
    for (const [n, parsedBody] of parsed.entries()) {
      expect(await outcome(coexisting, post({ parsedBody })), `parsed[${n}]`).toBe(REFUSED);
    }
    const clean: unknown[] = [{}, { title: 'x', nested: { access_token: 'x' } }, new Map(), 'title=1'];
    for (const [n, parsedBody] of clean.entries()) {
      expect(await outcome(coexisting, post({ parsedBody })), `clean[${n}]`).toBe('allow');
    }
    // either view counts: a parser that kept none of it does not hide the bytes
    expect(await outcome(coexisting, post({ parsedBody: {}, ...bytes('access_token=x') }))).toBe(REFUSED);
  });

  it('beside a header token is two methods (exactly one, RFC 6750 §2)', async () => {
    expect(await outcome(coexisting, post({ ...withHeader, ...bytes(`access_token=${token}`) }))).toBe(REFUSED);
    expect(await outcome(strict, post({ ...withHeader, parsedBody: { access_token: token } }))).toBe(REFUSED);
    expect(await outcome(strict, post({ ...withHeader, ...bytes('title=1') }))).toBe('allow');
  });

  it('only an application/x-www-form-urlencoded body is looked at (case-insensitive, parameters ignored)', async () => {
    const typed = post({ type: 'Application/X-WWW-Form-Urlencoded ; charset=utf-8', ...bytes('access_token=x') });
    expect(await outcome(coexisting, typed)).toBe(REFUSED);
    for (const type of ['application/json', 'multipart/form-data; boundary=x', 'text/plain', `${FORM}-not`]) {
      const other = post({ type, parsedBody: { access_token: 'x' }, ...bytes('access_token=x') });
      expect(await outcome(coexisting, other), type).toBe('allow');
    }
    expect(await outcome(coexisting, post({ length: 0 }))).toBe('allow'); // no body: nothing to read
  });

  it('a form body the guard cannot read: 413 without a header token, the header token checked with one', async () => {
    const unreadable: Post[] = [
      bytes({ problem: 'too_large' }),
      bytes({ problem: 'unavailable' }),
      {}, // a check() caller that gave neither bytes nor a parsed body
      { parsedBody: 42 },
      { parsedBody: 'x'.repeat(200_000) },
    ];
    for (const [n, extra] of unreadable.entries()) {
      expect(await outcome(coexisting, post(extra)), `unreadable[${n}]`).toBe(UNREAD);
      expect(await outcome(coexisting, post({ ...extra, ...withHeader })), `unreadable[${n}]`).toBe('allow');
    }
    // read before the guard (the tap says unavailable), but the parser's result is there: it decides
    const parsedOnly = post({ parsedBody: { title: '1' }, ...bytes({ problem: 'unavailable' }) });
    expect(await outcome(coexisting, parsedOnly)).toBe('allow');
    // over the bound as sent, whatever a parser says
    expect(await outcome(coexisting, post({ parsedBody: {}, ...bytes({ problem: 'too_large' }) }))).toBe(UNREAD);
  });

  it('maxFormBodySize bounds the read; bodyAccessToken: false says the caller looked', async () => {
    const small = createGuard({ ...options, authRequired: false, maxFormBodySize: 8 });
    expect(await outcome(small, post(bytes('title=12')))).toBe('allow');
    expect(await outcome(small, post(bytes('title=123')))).toBe(UNREAD);
    expect(await outcome(coexisting, post({ bodyAccessToken: false }))).toBe('allow');
    expect(await outcome(coexisting, post({ bodyAccessToken: true, type: 'application/json' }))).toBe(REFUSED);
    expect(() => createGuard({ ...options, maxFormBodySize: -1 })).toThrow(/maxFormBodySize/);
    expect(() => createGuard({ ...options, maxFromBodySize: 1 } as never)).toThrow(/did you mean "maxFormBodySize"/);
  });

  it('with authRequired: true, a request without a header token is refused 401 before its body is read', async () => {
    expect(await outcome(strict, post(bytes('access_token=x')))).toBe('401 credentials_missing');
  });
});
