import type { Guard, GuardOptions, RouteSpec } from '@aap-guard/core';
import type { AdapterOptions } from '@aap-guard/core/node';
import type { FastifyRequest } from 'fastify';

/** Plugin options: guard options (the plugin creates and closes the guard) or an existing guard to share, plus the adapter options. */
export type AapFastifyOptions = (Partial<GuardOptions> & Omit<AdapterOptions<FastifyRequest>, 'guard'>) | ({ readonly guard: Guard } & Omit<AdapterOptions<FastifyRequest>, 'guard'>);

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
export const FASTIFY_KEYS = ['prefix', 'logLevel', 'logSerializers'] as const;
