import type { RequestInfo } from '../base/types/request.js';
import { parseAuthorization } from '../concerns/token/authorization.js';
import { namesAccessToken } from '../concerns/token/access-token-name.js';
import { isFormBody, scanFormBody, type FormScan } from '../concerns/token/form-body.js';
import { deny, type Deny } from '../base/deny/deny.js';
import { andThen } from '../base/util/awaitable.js';
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
 * No AAP credential at all (no Authorization header, another scheme such as Basic, or a credential the
 * `appCredentials` predicate claims for the app — asked before anything parses the header as a token): with
 * `authRequired: false` the request goes on without a principal (`ctx.anonymous`; a route that admits agents
 * only refuses it later), else 401 `credentials_missing` with a challenge (RFC 6750 §3.1, RFC 9110 §11.6.1).
 *
 * The form body (`application/x-www-form-urlencoded` only) is read last, and only when the header left the
 * request standing: a request without a body, or with another media type, costs nothing more and stays
 * synchronous. See `formVerdict` for what is refused.
 */
export const extractCredentials: Check = (ctx) => {
  const framing = contentLength(ctx);
  if (framing) return framing;
  const request = ctx.request;
  if (request.bodyAccessToken === true || queryHasToken(request.url)) return deny('credentials_in_query');
  const outcome = headerCredentials(ctx);
  if (outcome || request.bodyAccessToken === false || !isFormBody(request, ctx.contentLength)) return outcome;
  return andThen(scanFormBody(request, ctx.settings.token.maxFormBodySize), (scan) => formVerdict(ctx, scan));
};

/** The Authorization header: sets `ctx.credentials`, or marks the request anonymous, or denies. */
function headerCredentials(ctx: CheckContext): Deny | undefined {
  const headers = ctx.request.headers;
  const header = headers.authorization;
  let value: unknown = header;
  if (Array.isArray(header)) {
    if (header.length > 1) return deny('credentials_multiple', { headers: header.length });
    value = header[0];
  }
  if (value === undefined) return noCredential(ctx, undefined);
  if (typeof value !== 'string') return deny('authorization_malformed', { cause: 'not a string' });
  // The app's own credential (an API key as `Bearer sk_…`): told apart before anything parses it as a token.
  const appCredentials = ctx.settings.appCredentials;
  if (appCredentials !== undefined && isAppCredential(appCredentials, value, ctx.request))
    return noCredential(ctx, undefined, 'app credential');
  const { maxTokenSize } = ctx.settings.token;
  const { lookup } = ctx.runtime.token;
  const parsed = parseAuthorization(value, maxTokenSize, lookup);
  if (parsed === 'credentials_missing') return noCredential(ctx, value.trim().split(/[ \t]/, 1)[0]);
  if (typeof parsed === 'string')
    return deny(parsed, parsed === 'token_too_large' ? { bytes: value.length } : undefined);
  ctx.credentials = { token: parsed.token, scheme: parsed.scheme, proofs: proofsOf(headers.dpop) };
  ctx.cached = parsed.known;
  return undefined;
}

/**
 * The form body's part in credential extraction. An `access_token` in it is refused (400
 * `credentials_in_query`), beside a header token too — one method only (RFC 6750 §2): passed on, it would
 * reach an app whose own login accepts form tokens unchecked. A form body the guard could not read (over
 * `maxFormBodySize`, or read before the guard with no parsed body to show) is refused (413
 * `form_body_too_large`: its content is unknown, as a body read before the guard has an unknown size) —
 * unless the request carries an AAP token in the header, which is then checked in full.
 */
function formVerdict(ctx: CheckContext, scan: FormScan): Deny | undefined {
  if (scan === 'none') return undefined;
  if (scan !== 'token' && ctx.credentials) {
    ctx.detail.formBody = scan; // not read; the header token is what the guard checks
    return undefined;
  }
  ctx.anonymous = undefined;
  if (scan === 'token') return deny('credentials_in_query', { location: 'form body' });
  return deny('form_body_too_large', { problem: scan, limit: ctx.settings.token.maxFormBodySize });
}

/** No AAP credential: let it through (coexistence) unless it carries a DPoP proof, else challenge. */
function noCredential(ctx: CheckContext, scheme: string | undefined, kind?: 'app credential'): Deny | undefined {
  const detail =
    kind !== undefined ? { credentials: kind } : scheme === undefined ? undefined : { scheme: scheme.slice(0, 32) };
  if (ctx.settings.authRequired || ctx.request.headers.dpop !== undefined) return deny('credentials_missing', detail);
  ctx.anonymous = true;
  ctx.detail.credentials = kind ?? (scheme === undefined ? 'none' : `another scheme (${scheme.slice(0, 32)})`);
  return undefined;
}

/** `Bearer`/`DPoP` as the guard writes them, whatever their case in the header (RFC 9110 §11.1). */
const CANONICAL: ReadonlyMap<string, string> = new Map([
  ['bearer', 'Bearer'],
  ['dpop', 'DPoP'],
]);

/**
 * Whether `options.appCredentials` claims the header value: split at its first whitespace into scheme and
 * credential (a value without both is never the app's). A throw of the predicate propagates: the engine
 * turns it into `internal_error` — fail closed.
 */
function isAppCredential(
  predicate: NonNullable<CheckContext['settings']['appCredentials']>,
  value: string,
  request: RequestInfo,
): boolean {
  const trimmed = value.trim();
  const space = trimmed.search(/[ \t]/);
  if (space <= 0) return false;
  const token = trimmed.slice(space + 1).trim();
  if (token === '') return false;
  const scheme = trimmed.slice(0, space);
  return predicate({ scheme: CANONICAL.get(scheme.toLowerCase()) ?? scheme, token }, request) === true;
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
  const values =
    typeof header === 'string'
      ? header.split(',')
      : Array.isArray(header)
        ? header.flatMap((v) => String(v).split(','))
        : [''];
  let length: number | undefined;
  for (const raw of values) {
    const text = raw.trim();
    if (!DIGITS.test(text)) return deny('request_invalid', { check: 'content-length', problem: 'not a digit string' });
    const value = parseDigits(text);
    if (length !== undefined && value !== length)
      return deny('request_invalid', { check: 'content-length', problem: 'differing values' });
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
 * (`?url=https%3A…`), and building a `URLSearchParams` for it costs more than the rest of the check. A
 * name longer than `access_token` is looked at only when it holds a `%` (`access%5Ftoken`, decoded the
 * WHATWG way) or the text `access_token` (`[access_token]`, `access_token[]`: what a `qs` query parser,
 * Express 4's default, reads as a top-level `access_token` — see `namesAccessToken`). Linear in the URL's
 * length whatever its shape: the next `&`, `=`, `%` and `access_token` are each searched for once.
 */
function queryHasToken(url: RequestInfo['url']): boolean {
  const start = url.indexOf('?');
  if (start < 0) return false;
  const hash = url.indexOf('#', start);
  const end = hash < 0 ? url.length : hash;
  let amp = -1;
  let equals = -1;
  let percent = -1;
  let named = -1;
  for (let at = start + 1; at < end; at = amp + 1) {
    if (amp < at) amp = position(url, '&', at, end);
    if (equals < at) equals = position(url, '=', at, end);
    const nameEnd = Math.min(amp, equals);
    const length = nameEnd - at;
    if (length === 12 && url.startsWith('access_token', at)) return true;
    if (length > 12) {
      if (percent < at) percent = position(url, '%', at, end);
      if (named < at) named = position(url, 'access_token', at, end);
      const candidate = percent < nameEnd || named + 12 <= nameEnd;
      if (candidate && namesAccessToken(decodedName(url.slice(at, nameEnd)))) return true;
    }
  }
  return false;
}

/** A query parameter name, decoded the WHATWG way (`+` is a space, `%XX` a byte of UTF-8) when it needs it. */
function decodedName(name: string): string {
  if (!name.includes('%') && !name.includes('+')) return name;
  return new URLSearchParams(`${name}=`).keys().next().value ?? '';
}

/** Index of `text` in `within` from `from`, or `end` when it is not before `end`. */
function position(within: string, text: string, from: number, end: number): number {
  const found = within.indexOf(text, from);
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
