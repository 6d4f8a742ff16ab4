import type { Guard } from '@aap-guard/core';
import { adminApi, type AdminOptions } from './admin-api.js';
import { consoleApi } from './console/console-api.js';
import { linkAt, resolveConsole, type ConsoleOptions } from './console/options.js';
import { jsonReply, type AdminHttpRequest, type AdminHttpResponse } from './console/reply.js';

/** Options of the admin routers of every adapter: the admin API's, and the approval console's. */
export interface AdminRoutesOptions<Req> extends AdminOptions<Req> {
  /**
   * Serve the approval console under `<mount>/console` (`true`, or its options). Off by default. Its pages
   * are behind the same `authorize(req)`, record decisions as `actor(req)`, and make a new hold's
   * `approval_reference` the hold's page (see `ConsoleOptions.url`).
   */
  readonly console?: ConsoleOptions | boolean | undefined;
}

/** The admin routes' handler, and how the adapter tells where it is mounted. */
export interface AdminRoutes<Req> {
  (req: Req, input: AdminHttpRequest): Promise<AdminHttpResponse>;
  /**
   * The adapter knows its mount point (Fastify's prefix at registration, Koa's `prefix`): with the console
   * on and no `console.url`, new holds' approval links lead to the console there.
   */
  mountedAt(prefix: string): void;
}

/**
 * Everything an adapter's admin router serves, framework-free: the JSON admin API (`adminApi`) and, when
 * `console` is on, the approval console under `/console`. The adapter passes the request and writes the
 * reply as it comes: status, headers, then `json` or `text`. Throws `TypeError` at creation on a bad option
 * (no `authorize`: refuses to mount).
 *
 * @example
 * const routes = adminRoutes(guard, { authorize, actor, console: true }, 'aapAdmin');
 * routes.mountedAt('/aap-admin');
 * const reply = await routes(request, { method, path, query, body, headers, mount: '/aap-admin', secure: false });
 */
export function adminRoutes<Req>(
  guard: Guard,
  options: AdminRoutesOptions<Req>,
  name = 'adminRoutes',
): AdminRoutes<Req> {
  const api = adminApi(guard, options, name);
  const settings = resolveConsole(options.console, guard, name);
  const page = settings ? consoleApi(guard, options, settings) : undefined;
  const routes = async (req: Req, input: AdminHttpRequest): Promise<AdminHttpResponse> => {
    if (input.path === '/console' || input.path.startsWith('/console/')) {
      return page ? page(req, input) : jsonReply(404, { error: 'not_found' });
    }
    const refused = crossSite(input);
    if (refused) return refused;
    const { status, body } = await api(req, input);
    return jsonReply(status, body);
  };
  const mountedAt = (prefix: string): void => {
    if (settings && settings.url === undefined) linkAt(guard, prefix || '/', `${name}: prefix`);
  };
  return Object.assign(routes, { mountedAt });
}

/** Bodies any web page can make a browser send cross-site without a CORS preflight (Fetch "CORS-safelisted"). */
const SIMPLE_BODIES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);

/**
 * A state change the JSON API refuses, whatever `authorize` says: a body a cross-site form could send
 * (415), or a request the browser itself marks as coming from another site (`Sec-Fetch-Site`, 403). An
 * `authorize` that trusts a cookie would otherwise let any site approve holds through the person's browser.
 */
function crossSite(input: AdminHttpRequest): AdminHttpResponse | undefined {
  if (input.method.toUpperCase() === 'GET') return undefined;
  const site = input.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none')
    return jsonReply(403, { error: 'forbidden', error_description: 'cross-site request' });
  const type = input.headers['content-type'];
  const media = (typeof type === 'string' ? type : '').split(';')[0]?.trim().toLowerCase() ?? '';
  return SIMPLE_BODIES.has(media)
    ? jsonReply(415, { error: 'invalid_request', error_description: 'the admin API takes application/json' })
    : undefined;
}
