import { createGuard, optionsFromEnv, type Guard, type GuardOptions, type RouteSpec } from '@aap-guard/core';
import type { Request } from 'express';

/** Options only the Express adapter reads. */
export interface ExpressAdapterOptions {
  /**
   * A route handler reached without an `aap.require()` declaration: `allow` (default: authenticated
   * only) or `deny` (403 `route_undeclared` before the handler runs). Defaults to the guard's
   * `undeclared` option.
   */
  readonly undeclared?: 'allow' | 'deny' | undefined;
  /** Entries of the per method+path cache of route declarations used in `deny` mode (default 1000). */
  readonly routeCacheSize?: number | undefined;
}

/** `aapGuard()` options: guard options (a new guard is created) or an existing guard to share. */
export type AapExpressOptions = (GuardOptions & ExpressAdapterOptions) | ({ readonly guard: Guard } & ExpressAdapterOptions);

/** A per-route declaration: the route spec's fields, plus where the target URL/host comes from. */
export interface RequireOptions extends Omit<RouteSpec, 'action'> {
  /** The URL or host the request acts on (for `domains_allowed` / `domains_blocked`). */
  readonly target?: ((req: Request) => unknown) | undefined;
}

/** Create or reuse the guard and settle the adapter options once, at startup. */
export function resolveAdapter(options: AapExpressOptions | undefined, env: Readonly<Record<string, string | undefined>>): {
  guard: Guard;
  undeclared: 'allow' | 'deny';
  routeCacheSize: number;
} {
  const given: AapExpressOptions = options ?? optionsFromEnv(env);
  const guard = 'guard' in given && given.guard ? given.guard : createGuard(given as GuardOptions);
  const undeclared = given.undeclared ?? guard.options.undeclared;
  if (undeclared !== 'allow' && undeclared !== 'deny') throw new TypeError("aapGuard: options.undeclared must be 'allow' or 'deny'");
  const routeCacheSize = given.routeCacheSize ?? 1000;
  if (!Number.isInteger(routeCacheSize) || routeCacheSize < 1) throw new TypeError('aapGuard: options.routeCacheSize must be a positive integer');
  return { guard, undeclared, routeCacheSize };
}
