import { requestOrigin, type OriginScope } from '../../base/request/origin.js';

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/**
 * Normalize an `htu` (or the request URL) for comparison, RFC 9449 §4.3 step 9: parsed with the
 * WHATWG URL parser (scheme and host lower-cased, default port dropped, dot segments removed,
 * IDNA), query and fragment dropped (RFC 9449 §4.2), then the RFC 3986 §6.2.2 percent-encoding
 * normalization WHATWG URL does not do: hex digits upper-cased, unreserved characters decoded.
 * Returns undefined for anything that is not an absolute http(s) URL.
 *
 * @example
 * normalizeHtu('HTTPS://API.example.com:443/a/%7euser?q=1') // 'https://api.example.com/a/~user'
 */
export function normalizeHtu(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 4096) return undefined;
  const url = URL.parse(value); // one parse (not `canParse` and then `new URL`)
  return url ? normalizedUrl(url) : undefined;
}

/** `normalizeHtu` of a URL parsed already. */
function normalizedUrl(url: URL): string | undefined {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username || url.password) return undefined;
  return `${url.origin}${normalizePercent(url.pathname)}`;
}

/**
 * The proof's `htu` normalized for comparison with `expected` (a normalized URL, see `expectedHtu`): an
 * `htu` spelled exactly as `expected` — what clients send — normalizes to itself, so it is not parsed.
 *
 * @example
 * claimedHtu('https://api.example.com/v1/search', expected) // === expected, without a parse
 */
export function claimedHtu(value: unknown, expected: string | undefined): string | undefined {
  return value === expected && expected !== undefined ? expected : normalizeHtu(value);
}

function normalizePercent(path: string): string {
  if (!path.includes('%')) return path;
  return path.replace(/%[0-9A-Fa-f]{2}/g, (escape) => {
    const char = String.fromCharCode(parseInt(escape.slice(1), 16));
    return UNRESERVED.test(char) ? char : escape.toUpperCase();
  });
}

/**
 * The URL the client addressed, as `htu` must name it: origin from the `publicUrl` setting when
 * configured (only its origin; the path is the request's), else from the forwarded headers when the
 * TCP peer is a trusted proxy (the `trustProxy` setting), else from the request URL; then the
 * request path. Normalized like `normalizeHtu`.
 *
 * @example
 * expectedHtu(ctx) // 'https://api.example.com/v1/search'
 */
export function expectedHtu(ctx: OriginScope): string | undefined {
  const url = URL.parse(ctx.request.url);
  if (!url) return undefined;
  const origin = requestOrigin(ctx, url);
  // The request's own origin (no publicUrl, no trusted proxy): the URL parsed here is the one to normalize.
  if (origin === url.origin) return normalizedUrl(url);
  return normalizeHtu(`${origin}${url.pathname}`);
}
