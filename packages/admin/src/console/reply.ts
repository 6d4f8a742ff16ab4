/** A request to the admin routes, as an adapter hands it over. */
export interface AdminHttpRequest {
  readonly method: string;
  /** The path below the mount point (`/holds`, `/console/holds/f1Qw…`). */
  readonly path: string;
  readonly query: Readonly<Record<string, unknown>>;
  /**
   * The body: parsed JSON, a parsed form (an object of strings), or a form's raw `application/x-www-form-urlencoded`
   * text.
   */
  readonly body: unknown;
  /** Request headers, lower-case names. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /**
   * Where the admin routes are mounted, as the client addressed it (`/aap-admin`: Express `req.baseUrl`, the Fastify or
   * Koa prefix).
   */
  readonly mount: string;
  /** The request came over HTTPS (the console's cookies are then `Secure`). */
  readonly secure: boolean;
}

/** A response of the admin routes, for the adapter to write as is. */
export interface AdminHttpResponse {
  readonly status: number;
  /** Response headers; `set-cookie` may be a list. */
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  /** A JSON body (the admin API)… */
  readonly json?: unknown;
  /** …or a text body (the console's pages and assets), typed by `headers['content-type']`. */
  readonly text?: string;
}

/**
 * Headers of every console response: nothing cached, nothing framed (`frame-ancestors 'none'` and, for
 * older browsers, `X-Frame-Options`), no inline script or style, nothing from another origin, forms
 * post only to the console itself, no referrer.
 */
const CONSOLE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'cache-control': 'no-store',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
});

/**
 * A console response: `text` of `type` with the console's headers and any cookies to set.
 *
 * @example
 * consoleReply(200, 'text/html; charset=utf-8', markup, [csrfCookie])
 */
export function consoleReply(
  status: number,
  type: string,
  text: string,
  cookies: readonly (string | undefined)[] = [],
  extra: Record<string, string> = {},
): AdminHttpResponse {
  const set = cookies.filter((cookie): cookie is string => cookie !== undefined);
  return {
    status,
    headers: { ...CONSOLE_HEADERS, 'content-type': type, ...extra, ...(set.length ? { 'set-cookie': set } : {}) },
    text,
  };
}

/**
 * A JSON response of the admin routes (never cached).
 *
 * @example
 * jsonReply(200, { holds })
 */
export function jsonReply(status: number, json: unknown, headers: Record<string, string> = {}): AdminHttpResponse {
  return { status, headers: { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers }, json };
}
