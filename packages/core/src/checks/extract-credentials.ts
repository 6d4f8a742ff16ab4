import type { RequestInfo } from '../types.js';
import { parseAuthorization } from '../token/authorization.js';
import { deny, type Deny } from '../deny/deny.js';
import type { Check, CheckContext } from './context.js';

const NO_PROOFS: readonly string[] = Object.freeze([]);
/** RFC 9110 §8.6: `Content-Length = 1*DIGIT`, leading zeros included. */
const DIGITS = /^\d+$/;

/**
 * Step 1: the request's framing, then credential extraction. Exactly one method (RFC 6750 §2): the
 * Authorization header with the `Bearer` or `DPoP` scheme (RFC 9449 §7.1). A token in the query string or a
 * form body is refused (RFC 6750 §2.2/§2.3 are optional methods; RFC 9700 §4.3.2 forbids query tokens),
 * whether or not a header is also present. Sets `ctx.credentials`; every `DPoP` header value is collected
 * for the proof-of-possession step, which validates them.
 *
 * No AAP credential at all (no Authorization header, or another scheme such as Basic): with
 * `authRequired: false` the request goes on without a principal (`ctx.anonymous`), else 401
 * `credentials_missing` with a challenge (RFC 6750 §3.1, RFC 9110 §11.6.1).
 *
 * @example
 * const outcome = await extractCredentials(ctx); // undefined, or deny('credentials_missing') …
 */
export const extractCredentials: Check = (ctx) => {
  const framing = contentLength(ctx);
  if (framing) return framing;
  const request = ctx.request;
  const headers = request.headers;
  if (request.bodyAccessToken === true || queryHasToken(request.url)) return deny('credentials_in_query');
  const header = headers.authorization;
  let value: unknown = header;
  if (Array.isArray(header)) {
    if (header.length > 1) return deny('credentials_multiple', { headers: header.length });
    value = header[0];
  }
  if (value === undefined) return noCredential(ctx, undefined);
  if (typeof value !== 'string') return deny('authorization_malformed', { cause: 'not a string' });
  const { maxTokenSize, lookup } = ctx.options.token;
  const parsed = parseAuthorization(value, maxTokenSize, lookup);
  if (parsed === 'credentials_missing') return noCredential(ctx, value.trim().split(/[ \t]/, 1)[0]);
  if (typeof parsed === 'string') return deny(parsed, parsed === 'token_too_large' ? { bytes: value.length } : undefined);
  ctx.credentials = { token: parsed.token, scheme: parsed.scheme, proofs: proofsOf(headers.dpop) };
  ctx.cached = parsed.known;
  return undefined;
};

/** No AAP credential: let it through (coexistence) unless it carries a DPoP proof, else challenge. */
function noCredential(ctx: CheckContext, scheme: string | undefined): Deny | undefined {
  const detail = scheme === undefined ? undefined : { scheme: scheme.slice(0, 32) };
  if (ctx.options.authRequired || ctx.request.headers.dpop !== undefined) return deny('credentials_missing', detail);
  ctx.anonymous = true;
  ctx.detail.credentials = scheme === undefined ? 'none' : `another scheme (${scheme.slice(0, 32)})`;
  return undefined;
}

/**
 * RFC 9110 §8.6: any digit string, leading zeros included (`0005000` is 5000 — a size limit compares the
 * number, never the text); anything else, or two different values, is a malformed request (400).
 */
function contentLength(ctx: CheckContext): Deny | undefined {
  const given = ctx.request.contentLength;
  if (typeof given === 'number') {
    ctx.contentLength = given;
    return undefined;
  }
  const header = ctx.request.headers['content-length'];
  if (header === undefined) return undefined;
  const values = typeof header === 'string' ? header.split(',') : Array.isArray(header) ? header.flatMap((v) => String(v).split(',')) : [''];
  let length: number | undefined;
  for (const raw of values) {
    const text = raw.trim();
    if (!DIGITS.test(text)) return deny('request_invalid', { check: 'content-length', problem: 'not a digit string' });
    const value = parseDigits(text);
    if (length !== undefined && value !== length) return deny('request_invalid', { check: 'content-length', problem: 'differing values' });
    length = value;
  }
  ctx.contentLength = length;
  return undefined;
}

/** The value of a digit string; one beyond `Number.MAX_SAFE_INTEGER` is `Infinity` (larger than any limit). */
function parseDigits(text: string): number {
  const significant = text.replace(/^0+(?=\d)/, '');
  return significant.length > 15 ? Number.POSITIVE_INFINITY : Number(significant);
}

/**
 * Whether the request URL carries an `access_token` parameter (RFC 6750 §2.3). One pass over the query's
 * NAMES, with no array or substring per parameter — a request's URL is mostly a percent-encoded value
 * (`?url=https%3A…`), and building a `URLSearchParams` for it costs more than the rest of the check. Only
 * a name that is itself percent-encoded (`access%5Ftoken`) is decoded, the WHATWG way. Linear in the
 * URL's length whatever its shape: the next `&` and `=` are each searched for once.
 */
function queryHasToken(url: RequestInfo['url']): boolean {
  const start = url.indexOf('?');
  if (start < 0) return false;
  const hash = url.indexOf('#', start);
  const end = hash < 0 ? url.length : hash;
  let amp = -1;
  let equals = -1;
  for (let at = start + 1; at < end; at = amp + 1) {
    if (amp < at) amp = position(url, '&', at, end);
    if (equals < at) equals = position(url, '=', at, end);
    const nameEnd = Math.min(amp, equals);
    const length = nameEnd - at;
    if (length === 12 && url.startsWith('access_token', at)) return true;
    // An encoded `access_token` is 14 to 36 characters (each of its 12 at most 3 when encoded).
    if (length > 12 && length <= 36) {
      const name = url.slice(at, nameEnd);
      if (name.includes('%') && new URLSearchParams(`${name}=`).has('access_token')) return true;
    }
  }
  return false;
}

/** Index of `char` in `text` from `from`, or `end` when it is not before `end`. */
function position(text: string, char: string, from: number, end: number): number {
  const found = text.indexOf(char, from);
  return found < 0 || found > end ? end : found;
}

/** Every DPoP header value; a comma-joined value is split (a compact JWS never contains a comma). */
function proofsOf(header: string | readonly string[] | undefined): readonly string[] {
  if (header === undefined) return NO_PROOFS;
  const values = typeof header === 'string' ? [header] : Array.isArray(header) ? header : [];
  const proofs: string[] = [];
  for (const value of values) {
    if (typeof value !== 'string') continue;
    for (const part of value.split(',')) {
      const proof = part.trim();
      if (proof) proofs.push(proof);
    }
  }
  return proofs;
}
