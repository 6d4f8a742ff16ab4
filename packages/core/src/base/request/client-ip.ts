import { isIP } from 'node:net';
import type { RequestInfo } from '../types/request.js';
import { unmap } from '../util/cidr.js';
import { listHeader } from './headers.js';

/** What resolving the client address reads (a check's context is one), and where it keeps the answer. */
export interface ClientIpScope {
  readonly request: RequestInfo;
  readonly settings: { readonly trustProxy: (ip: string) => boolean };
  clientIp?: string | undefined;
}

/**
 * The client address of a request, resolved once per request and kept on the context.
 *
 * The TCP peer, unless the peer is a trusted proxy (`settings.trustProxy`): then `X-Forwarded-For` is
 * walked from the right, past every trusted hop, to the first address a trusted proxy vouches for —
 * the rule of Express's `proxy-addr`. A malformed hop leaves the client unknown (`undefined`), and an
 * unknown client never satisfies an address constraint.
 */
export function clientIp(ctx: ClientIpScope): string | undefined {
  if (!('clientIp' in ctx)) ctx.clientIp = resolve(ctx);
  return ctx.clientIp;
}

function resolve({ request, settings }: ClientIpScope): string | undefined {
  if (typeof request.clientIp !== 'string' || isIP(unmap(request.clientIp)) === 0) return undefined;
  let current = unmap(request.clientIp);
  if (!settings.trustProxy(current)) return current;
  const hops = listHeader(request.headers['x-forwarded-for']);
  for (let i = hops.length - 1; i >= 0 && settings.trustProxy(current); i--) {
    const hop = unmap(hops[i]!);
    if (isIP(hop) === 0) return undefined;
    current = hop;
  }
  return current;
}
