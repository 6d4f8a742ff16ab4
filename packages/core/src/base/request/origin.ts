import type { RequestInfo } from '../types/request.js';
import { forwardedOrigin } from './forwarded.js';

/** What the origin a client addressed depends on: the request, the `publicUrl` setting and the trusted proxies. */
export interface OriginScope {
  readonly request: RequestInfo;
  readonly settings: { readonly publicUrl: URL | undefined; readonly trustProxy: (ip: string) => boolean };
}

/**
 * The origin the client addressed: the `publicUrl` setting's, else a trusted proxy's forwarded one, else the
 * request URL's (whose scheme is the connection's).
 *
 * @example
 * requestOrigin(ctx) // 'https://api.example.com'
 */
export function requestOrigin(ctx: OriginScope, url: URL | null = URL.parse(ctx.request.url)): string {
  return ctx.settings.publicUrl?.origin ?? trustedOrigin(ctx) ?? url?.origin ?? 'null';
}

function trustedOrigin({ settings, request }: OriginScope): string | undefined {
  const peer = request.clientIp;
  if (typeof peer !== 'string' || !settings.trustProxy(peer)) return undefined;
  return forwardedOrigin(request.headers, request.url);
}
