import { createGuard, optionsFromEnv, type Guard, type GuardOptions, type RouteSpec } from '@aap-guard/core';
import type { Context } from 'koa';

/** Options only the Koa adapter reads. */
export interface KoaAdapterOptions {
  /**
   * A router route reached without an `aap.require()` declaration: `allow` (default: authenticated
   * only) or `deny` (403 `route_undeclared` before any of its middleware runs). `deny` works for the
   * routers mounted with `app.use(aap.router(router))`. Defaults to the guard's `undeclared` option.
   */
  readonly undeclared?: 'allow' | 'deny' | undefined;
}

/** `aapGuard()` options: guard options (a new guard is created) or an existing guard to share. */
export type AapKoaOptions = (GuardOptions & KoaAdapterOptions) | ({ readonly guard: Guard } & KoaAdapterOptions);

/** A per-route declaration: the route spec's fields, plus where the target URL/host comes from. */
export interface RequireOptions extends Omit<RouteSpec, 'action'> {
  /**
   * The URL or host the request acts on (for `domains_allowed` / `domains_blocked`), e.g.
   * `(ctx) => ctx.query.url`. A value that is not a string (a repeated query parameter parsed to an
   * array) is refused with 400 `request_invalid`, never guessed.
   */
  readonly target?: ((ctx: Context) => unknown) | undefined;
}

/**
 * Create or reuse the guard and settle the adapter options once, at startup.
 *
 * @example
 * const { guard, undeclared } = resolveAdapter(options, options ? {} : process.env);
 */
export function resolveAdapter(
  options: AapKoaOptions | undefined,
  env: Readonly<Record<string, string | undefined>>,
): { readonly guard: Guard; readonly undeclared: 'allow' | 'deny' } {
  const given: AapKoaOptions = options ?? optionsFromEnv(env);
  const guard = 'guard' in given && given.guard ? given.guard : createGuard(given as GuardOptions);
  const undeclared = given.undeclared ?? guard.options.undeclared;
  if (undeclared !== 'allow' && undeclared !== 'deny') throw new TypeError("@aap-guard/koa: options.undeclared must be 'allow' or 'deny'");
  return { guard, undeclared };
}
