import type { Guard, GuardOptions, RouteSpec } from '@aap-guard/core';
import type { AdapterOptions } from '@aap-guard/core/node';
import type { FastifyRequest } from 'fastify';

/**
 * Plugin options: guard options (the plugin creates and closes the guard) or an existing guard to share, plus the
 * adapter options.
 */
export type AapFastifyOptions = (
  | (Partial<GuardOptions> & Omit<AdapterOptions<FastifyRequest>, 'guard'>)
  | ({ readonly guard: Guard } & Omit<AdapterOptions<FastifyRequest>, 'guard'>)
) & {
  /**
   * The API's OpenAPI 3.x document (a parsed object): each route added after the plugin without a
   * `config.aap` of its own is declared by its operation's `x-aap-action` (see `@aap-guard/core/openapi`),
   * and `app.aap.routes()` marks where the document and the app disagree.
   */
  readonly openApi?: object | undefined;
};

/** A route's declaration in `config.aap`: the route spec, plus where the target URL/host comes from. */
export interface AapRouteConfig extends RouteSpec {
  /**
   * The URL or host the request acts on (for `domains_allowed` / `domains_blocked`), e.g.
   * `(request) => (request.query as { url?: string }).url`. A value that is not one string (a repeated
   * query parameter parsed to an array) is refused with 400 `request_invalid`, never guessed.
   */
  readonly target?: ((request: FastifyRequest) => unknown) | undefined;
}

/** Keys Fastify itself passes to a plugin with its options (`app.register(plugin, { prefix, … })`). */
export const FASTIFY_KEYS = ['prefix', 'logLevel', 'logSerializers', 'openApi'] as const;
