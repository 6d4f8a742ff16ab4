import type { AdapterOptions } from '@aap-guard/core/node';
import type { Guard, GuardOptions, RouteSpec } from '@aap-guard/core';
import type { Request } from 'express';

/** Options only the Express adapter reads, beside the shared adapter options. */
export interface ExpressAdapterOptions extends Omit<AdapterOptions<Request>, 'guard'> {
  /** Entries of the per method+path cache of route resolutions (default 1000). */
  readonly routeCacheSize?: number | undefined;
  /**
   * The API's OpenAPI 3.x document (a parsed object): each route without an `aap.require()` or
   * `aap.public()` of its own is declared by the `x-aap-action` of the operation of its method and full
   * path (mount paths included; see `@aap-guard/core/openapi`), and `aap.routes(app)` marks where the
   * document and the app disagree. A malformed document is a `TypeError` here.
   */
  readonly openApi?: object | undefined;
}

/**
 * `aapGuard()` options: guard options (a new guard is created; explicit options are merged over
 * `AAP_ISSUER`, `AAP_AUDIENCE`, `AAP_JWKS_URI`), or an existing guard to share — plus the adapter options.
 */
export type AapExpressOptions =
  (Partial<GuardOptions> & ExpressAdapterOptions) | ({ readonly guard: Guard } & ExpressAdapterOptions);

/** A per-route declaration: the route spec's fields, plus where the target URL/host comes from. */
export interface RequireOptions extends Omit<RouteSpec, 'action'> {
  /**
   * The URL or host the request acts on (for `domains_allowed` / `domains_blocked`), e.g.
   * `(req) => req.query.url`. A value that is not one string (a repeated query parameter parsed to an
   * array) is refused with 400 `request_invalid`, never guessed.
   */
  readonly target?: ((req: Request) => unknown) | undefined;
}

/** The option keys only this adapter knows (validated by the shared resolver). */
export const EXPRESS_KEYS = ['routeCacheSize', 'openApi'] as const;

/**
 * The route cache size, validated.
 *
 * @example
 * const size = routeCacheSize({ routeCacheSize: 500 }); // 500
 */
export function routeCacheSize(options: { readonly routeCacheSize?: unknown } | undefined): number {
  const size = options?.routeCacheSize ?? 1000;
  if (!Number.isInteger(size) || (size as number) < 1)
    throw new TypeError('aapGuard: options.routeCacheSize must be a positive integer');
  return size as number;
}
