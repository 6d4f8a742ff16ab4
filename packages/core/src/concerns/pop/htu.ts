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
  if (typeof value !== 'string' || value.length > 4096 || !URL.canParse(value)) return undefined;
  const url = new URL(value);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username || url.password) return undefined;
  return `${url.origin}${normalizePercent(url.pathname)}`;
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
  return normalizeHtu(`${requestOrigin(ctx, url)}${url.pathname}`);
}
