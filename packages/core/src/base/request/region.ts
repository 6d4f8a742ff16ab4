import type { RequestInfo } from '../types/request.js';
import { clientIp, type ClientIpScope } from './client-ip.js';

/** What resolving the request's region reads (a check's context is one), and where it keeps the answer. */
export interface RegionScope extends ClientIpScope {
  readonly settings: ClientIpScope['settings'] & {
    readonly policy: {
      readonly region: ((request: RequestInfo, clientIp: string | undefined) => string | undefined) | undefined;
    };
  };
  region?: string | undefined;
}

/**
 * The request's region from `constraints.region` (an ISO 3166-1 alpha-2 code, upper-cased), asked once per
 * request and kept on the context — `allowed_regions` and the token's `context.geo_restriction` read the same
 * answer. `undefined` without a resolver, or when it gives no string: an unknown region satisfies neither.
 *
 * @example
 * const region = requestRegion(ctx); // 'DE'
 */
export function requestRegion(ctx: RegionScope): string | undefined {
  if (!('region' in ctx)) {
    const resolved = ctx.settings.policy.region?.(ctx.request, clientIp(ctx));
    ctx.region = typeof resolved === 'string' ? resolved.toUpperCase() : undefined;
  }
  return ctx.region;
}
