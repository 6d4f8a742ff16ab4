import type { RequestInfo } from '../types.js';
import { parseAuthorization } from '../token/authorization.js';
import { deny, type Check } from './context.js';

const NO_PROOFS: readonly string[] = Object.freeze([]);

/**
 * Step 1: credential extraction. Exactly one method (RFC 6750 §2): the Authorization header with the
 * `Bearer` or `DPoP` scheme (RFC 9449 §7.1). A token in the query string or a form body is refused
 * (RFC 6750 §2.2/§2.3 are optional methods; the draft's RS rules start from the header; RFC 9700 §4.3.2
 * forbids query tokens), whether or not a header is also present. Sets `ctx.credentials`; every `DPoP`
 * header value is collected for the proof-of-possession step, which validates them.
 *
 * @example
 * const outcome = await extractCredentials(ctx); // undefined, or deny('credentials_missing') …
 */
export const extractCredentials: Check = (ctx) => {
  const request = ctx.request;
  const headers = request.headers ?? {};
  if (request.bodyAccessToken === true || queryHasToken(request.url)) return deny('credentials_in_query');
  const header = headers.authorization;
  let value: unknown = header;
  if (Array.isArray(header)) {
    if (header.length > 1) return deny('credentials_multiple', { headers: header.length });
    value = header[0];
  }
  if (value === undefined) return deny('credentials_missing');
  if (typeof value !== 'string') return deny('authorization_malformed', { cause: 'not a string' });
  const { maxTokenSize, cache } = ctx.options.token;
  const parsed = parseAuthorization(value, maxTokenSize, cache && ((token) => cache.has(token)));
  if (typeof parsed === 'string') return deny(parsed, parsed === 'token_too_large' ? { bytes: value.length } : undefined);
  ctx.credentials = { token: parsed.token, scheme: parsed.scheme, proofs: proofsOf(headers.dpop) };
  return undefined;
};

/** Whether the request URL carries an `access_token` parameter (RFC 6750 §2.3). Parsed only when it might. */
function queryHasToken(url: RequestInfo['url']): boolean {
  if (typeof url !== 'string') return false;
  const query = url.indexOf('?');
  if (query < 0) return false;
  if (!url.includes('access_token', query) && !url.includes('%', query)) return false;
  try {
    return new URL(url, 'http://localhost').searchParams.has('access_token');
  } catch {
    return false;
  }
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
