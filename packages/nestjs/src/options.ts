import type { Guard, GuardOptions } from '@aap-guard/core';
import { resolveAdapterOptions, type AdapterOptions, type AdapterSettings } from '@aap-guard/core/node';
import type { ModuleMetadata } from '@nestjs/common';
import type { AapHttpRequest } from './http.js';

/** What the Nest module takes beside the guard options: the shared adapter options, less `denyAs`. */
export type NestAdapterOptions = Omit<AdapterOptions<AapHttpRequest>, 'guard' | 'denyAs'>;

/**
 * `AapModule.forRoot()` options: guard options (a guard is created; explicit options are merged over
 * `AAP_ISSUER`, `AAP_AUDIENCE`, `AAP_JWKS_URI`), or an existing guard to share — plus `undeclared`
 * (default `deny`), `skip`, `formatDeny`. Denies are always thrown as `AapDenyException`, written by the
 * module's exception filter (see `filter`).
 */
export type AapModuleOptions =
  (Partial<GuardOptions> & NestAdapterOptions) | ({ readonly guard: Guard } & NestAdapterOptions);

/** How the module's deny filter is registered; the same for `forRoot` and `forRootAsync`. */
export interface AapFilterOption {
  /**
   * `true` (default): `AapExceptionFilter` is registered globally and writes each deny — the guard's JSON
   * body and every header, no error log. `false`: catch `AapDenyException` with your own filter (the deny's
   * headers are on the response already; a plain `HttpException` filter answers the right status and body).
   */
  readonly filter?: boolean | undefined;
}

/**
 * `AapModule.forRootAsync()` options: a factory of the module's options, with what it injects — a
 * `ConfigService`, a Redis client for `redisStore()`.
 */
export interface AapModuleAsyncOptions extends AapFilterOption, Pick<ModuleMetadata, 'imports'> {
  readonly useFactory: (...args: any[]) => AapModuleOptions | Promise<AapModuleOptions>;
  readonly inject?: readonly (string | symbol | Function)[] | undefined;
}

/** The module's settled options, as its guard, filter and front door read them. */
export type NestAdapter = AdapterSettings<AapHttpRequest>;

/**
 * Settle the module's options once, at startup, as every adapter does (`TypeError` naming the option).
 */
export function resolveNestOptions(
  options: AapModuleOptions | undefined,
  env: Readonly<Record<string, string | undefined>>,
): NestAdapter {
  const given = (options ?? {}) as Record<string, unknown>;
  refuseOtherOptions(given, 'filter goes beside useFactory (forRootAsync({ filter, useFactory })), not in its result');
  return resolveAdapterOptions<AapHttpRequest>('AapModule', given, env);
}

/**
 * The options of the other adapters that mean nothing here (a `TypeError` saying why): `denyAs` — denies are
 * always thrown as `AapDenyException` — and, where given, `filter`.
 */
export function refuseOtherOptions(given: unknown, filterProblem?: string): void {
  if (typeof given !== 'object' || given === null) return;
  if ('denyAs' in given) {
    const why = 'denies are thrown as AapDenyException (filter: false to write them yourself)';
    throw new TypeError(`AapModule: options.denyAs is not a Nest option — ${why}`);
  }
  if (filterProblem !== undefined && 'filter' in given) throw new TypeError(`AapModule: options.${filterProblem}`);
}
