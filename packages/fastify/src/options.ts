import { createGuard, optionsFromEnv, type Guard, type GuardOptions, type RouteSpec } from '@aap-guard/core';
import type { FastifyRequest } from 'fastify';

/** Options only the Fastify plugin reads. */
export interface FastifyAdapterOptions {
  /**
   * A route without an `aap` declaration in its config (and not opted out with `aap: false`):
   * `deny` (the Fastify default: 403 `route_undeclared` before any handler runs) or `allow`
   * (authenticated only). Fastify knows the route at `onRequest` time, so denying is exact.
   */
  readonly undeclared?: 'allow' | 'deny' | undefined;
}

/** Plugin options: guard options (the plugin creates and closes the guard) or an existing guard to share. */
export type AapFastifyOptions = (GuardOptions & FastifyAdapterOptions) | ({ readonly guard: Guard } & FastifyAdapterOptions);

/** A route's declaration in `config.aap`: the route spec, plus where the target URL/host comes from. */
export interface AapRouteConfig extends RouteSpec {
  /**
   * The URL or host the request acts on (for `domains_allowed` / `domains_blocked`), e.g.
   * `(request) => (request.query as { url?: string }).url`. A value that is not a string (a repeated
   * query parameter parsed to an array) is refused with 400 `request_invalid`, never guessed.
   */
  readonly target?: ((request: FastifyRequest) => unknown) | undefined;
}

/** The settled plugin options. */
export interface ResolvedAdapter {
  readonly guard: Guard;
  readonly undeclared: 'allow' | 'deny';
  /** True when the plugin created the guard (it then closes it with the server). */
  readonly owned: boolean;
}

/**
 * Create or reuse the guard and settle the adapter options once, at registration. Without guard
 * options (`app.register(aapGuard)`), reads `AAP_ISSUER`, `AAP_AUDIENCE`, `AAP_JWKS_URI` from `env`.
 *
 * @example
 * const { guard, undeclared } = resolveAdapter({ issuer, audience, jwks }, process.env);
 */
export function resolveAdapter(options: AapFastifyOptions | FastifyAdapterOptions | undefined, env: Readonly<Record<string, string | undefined>>): ResolvedAdapter {
  const given = (options ?? {}) as Partial<GuardOptions> & { guard?: Guard; undeclared?: unknown };
  const undeclared = given.undeclared ?? 'deny';
  if (undeclared !== 'allow' && undeclared !== 'deny') throw new TypeError("@aap-guard/fastify: options.undeclared must be 'allow' or 'deny'");
  if (given.guard) return { guard: given.guard, undeclared, owned: false };
  const guardOptions: GuardOptions = given.issuer === undefined ? { ...optionsFromEnv(env), ...given } : (given as GuardOptions);
  return { guard: createGuard({ ...guardOptions, undeclared }), undeclared, owned: true };
}
