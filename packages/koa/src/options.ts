import type { Guard, GuardOptions, RouteSpec } from '@aap-guard/core';
import type { AdapterOptions } from '@aap-guard/core/node';
import type { Context } from 'koa';

/**
 * `aapGuard()` options: guard options (a new guard is created; explicit options are merged over
 * `AAP_ISSUER`, `AAP_AUDIENCE`, `AAP_JWKS_URI`), or an existing guard to share — plus the adapter options.
 */
export type AapKoaOptions = (
  | (Partial<GuardOptions> & Omit<AdapterOptions<Context>, 'guard'>)
  | ({ readonly guard: Guard } & Omit<AdapterOptions<Context>, 'guard'>)
) & {
  /**
   * The API's OpenAPI 3.x document (a parsed object): each route of a router the guard sees (mounted after
   * `app.use(aap)`, or with `aap.router(router)`) without an `aap.require()` or `aap.public()` of its own is
   * declared by the `x-aap-action` of the operation of its method and path (the router's prefix included;
   * see `@aap-guard/core/openapi`), and `aap.routes(app)` marks where the document and the app disagree. A
   * malformed document is a `TypeError` here.
   */
  readonly openApi?: object | undefined;
};

/** The option keys only this adapter knows (validated by the shared resolver). */
export const KOA_KEYS = ['openApi'] as const;

/** A per-route declaration: the route spec's fields, plus where the target URL/host comes from. */
export interface RequireOptions extends Omit<RouteSpec, 'action'> {
  /**
   * The URL or host the request acts on (for `domains_allowed` / `domains_blocked`), e.g.
   * `(ctx) => ctx.query.url`. A value that is not one string (a repeated query parameter parsed to an
   * array) is refused with 400 `request_invalid`, never guessed.
   */
  readonly target?: ((ctx: Context) => unknown) | undefined;
}
