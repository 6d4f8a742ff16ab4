import { createGuard, type Guard } from '../../guard/create-guard.js';
import { engineOf } from '../../engine/registry.js';
import { optionsFromEnv } from '../../options/from-env.js';
import { GUARD_KEYS, checkKeys } from '../../base/types/known-keys.js';
import type { GuardOptions } from '../../base/types/options.js';
import type { DenyFormatter } from './deny-response.js';

/** Options every adapter takes, beside the guard options (or `guard`). */
export interface AdapterOptions<Req> {
  /** Share an existing guard instead of creating one (the adapter then does not close it). */
  readonly guard?: Guard | undefined;
  /**
   * A route without a declaration: `deny` (default: 403 `route_undeclared` before its handler runs) or `allow`
   * (authenticated only).
   */
  readonly undeclared?: 'allow' | 'deny' | undefined;
  /**
   * How a deny reaches the client: `response` (default: written by the adapter) or `error` — an
   * `AapDenyError` handed to the framework's error handling (Express `next(err)`, thrown in Koa,
   * Fastify's error handler), carrying status, headers, reason and the `Decision`.
   */
  readonly denyAs?: 'response' | 'error' | undefined;
  /** Build your own deny body (problem+json, your error envelope); the decision's headers are kept. */
  readonly formatDeny?: DenyFormatter | undefined;
  /**
   * Leave a request to the app entirely, e.g. `(req) => req.path.startsWith('/internal/')`: no check at all.
   * Asked once per request and guard, with the request as the client sent it (its path is the original
   * one, also below a router's mount); the guard's declarations use that same answer.
   */
  readonly skip?: ((req: Req) => boolean) | undefined;
}

/** The settled adapter options. */
export interface AdapterSettings<Req> {
  readonly guard: Guard;
  /** True when the adapter created the guard (it closes it with the app, where the framework has a close hook). */
  readonly owned: boolean;
  readonly undeclared: 'allow' | 'deny';
  readonly denyAs: 'response' | 'error';
  readonly formatDeny: DenyFormatter | undefined;
  readonly skip: ((req: Req) => boolean) | undefined;
}

const ADAPTER_KEYS = ['guard', 'undeclared', 'denyAs', 'formatDeny', 'skip'] as const;

/** @deprecated Renamed `AdapterSettings` (resolved options are `*Settings` everywhere). Removed in 0.3. */
export type ResolvedAdapter<Req> = AdapterSettings<Req>;

/**
 * Settle an adapter's options once, at startup — the same way for Express, Fastify and Koa: unknown keys
 * are a `TypeError` with a did-you-mean; guard options given explicitly are merged OVER the environment
 * (`AAP_ISSUER`, `AAP_AUDIENCE`, `AAP_JWKS_URI`), so `aapGuard({ undeclared: 'deny' })` still reads them;
 * unknown `AAP_*` variables are logged once through the guard's logger; `guard` and guard options are
 * exclusive.
 *
 * @example
 * const adapter = resolveAdapterOptions('aapGuard', { ...options, routeCacheSize: 500 }, process.env,
 * ['routeCacheSize']);
 */
export function resolveAdapterOptions<Req>(
  name: string,
  options: Readonly<Record<string, unknown>> | undefined,
  env: Readonly<Record<string, string | undefined>>,
  ownKeys: readonly string[] = [],
): AdapterSettings<Req> {
  const given = options ?? {};
  if (typeof given !== 'object' || given === null) throw new TypeError(`${name}: options must be an object`);
  checkKeys(given, [...GUARD_KEYS, ...ADAPTER_KEYS, ...ownKeys], `${name}(options)`);
  const {
    guard: shared,
    undeclared,
    denyAs = 'response',
    formatDeny,
    skip,
    ...rest
  } = given as AdapterOptions<Req> & Record<string, unknown>;
  for (const key of ownKeys) delete rest[key];
  if (denyAs !== 'response' && denyAs !== 'error')
    throw new TypeError(`${name}: options.denyAs must be 'response' or 'error'`);
  if (formatDeny !== undefined && typeof formatDeny !== 'function')
    throw new TypeError(`${name}: options.formatDeny must be a function (decision) => { body, type? }`);
  if (skip !== undefined && typeof skip !== 'function')
    throw new TypeError(`${name}: options.skip must be a function (request) => boolean`);
  const guardOptions = Object.keys(rest).filter((key) => rest[key] !== undefined);
  let guard: Guard;
  if (shared !== undefined) {
    if (guardOptions.length > 0)
      throw new TypeError(`${name}: give either options.guard or guard options (${guardOptions.join(', ')}), not both`);
    guard = shared;
  } else {
    const fromEnv = optionsFromEnv(env);
    guard = createGuard({
      ...fromEnv.options,
      ...rest,
      ...(undeclared === undefined ? {} : { undeclared }),
    } as GuardOptions);
    for (const { name: variable } of fromEnv.unknown) {
      engineOf(guard).runtime.logger.warn(
        { event: 'config.unknown_variable', variable },
        `${variable} is not an aap-guard variable; ignored`,
      );
    }
  }
  const mode =
    undeclared ?? engineOf(guard, `${name}: options.guard must be a guard made by createGuard()`).settings.undeclared;
  if (mode !== 'allow' && mode !== 'deny') throw new TypeError(`${name}: options.undeclared must be 'allow' or 'deny'`);
  return Object.freeze({ guard, owned: shared === undefined, undeclared: mode, denyAs, formatDeny, skip });
}
