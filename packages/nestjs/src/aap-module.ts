import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { AapDeclarations } from './aap-declarations.js';
import { AapExceptionFilter } from './aap-exception-filter.js';
import { AapGuard } from './aap-guard.js';
import { AapFrontDoor } from './front-door.js';
import {
  refuseOtherOptions,
  resolveNestOptions,
  type AapFilterOption,
  type AapModuleAsyncOptions,
  type AapModuleOptions,
  type NestAdapter,
} from './options.js';
import { AAP_ADAPTER, AAP_GUARD, AAP_OPTIONS } from './tokens.js';

/**
 * aap-guard for a Nest app (Express or Fastify platform), global: every HTTP handler is checked by
 * `AapGuard` — `@AapAction('cms.publish')` declares what a handler does, `@AapPublic()` opts one out, and
 * a handler with neither is refused (403 `route_undeclared`, after authentication) unless
 * `undeclared: 'allow'`. Denies are written by `AapExceptionFilter` with their headers and no error log.
 * Request bodies are watched from their first byte, ahead of Nest's body parser, so a human's approval
 * binds the exact body the agent sent. The core guard is injectable as `AAP_GUARD`.
 *
 * @example
 * import { Module } from '@nestjs/common';
 * import { AapModule } from '@aap-guard/nestjs';
 * @Module({
 *   imports: [AapModule.forRoot({ issuer: 'https://as.example.com', audience: 'https://api.example.com' })],
 * })
 * export class AppModule {}
 */
@Module({})
export class AapModule {
  /**
   * The module with options known now (guard options, or `{ guard }` to share one; `undeclared`, `skip`,
   * `formatDeny`; `filter: false` to catch `AapDenyException` yourself). A `TypeError` names a bad option.
   */
  static forRoot(options: AapModuleOptions & AapFilterOption = {}): DynamicModule {
    const { filter, ...rest } = options as AapModuleOptions & AapFilterOption & Record<string, unknown>;
    refuseOtherOptions(rest);
    return moduleOf([{ provide: AAP_OPTIONS, useValue: rest }], [], filter);
  }

  /**
   * The module with options made by a factory, with what it injects (`ConfigService`, a Redis client).
   *
   * @example
   * // ConfigModule, ConfigService: @nestjs/config
   * AapModule.forRootAsync({
   *   imports: [ConfigModule],
   *   inject: [ConfigService],
   *   useFactory: (config: ConfigService) => ({ issuer: config.get('AS_ISSUER'), audience: config.get('API_URL') }),
   * });
   */
  static forRootAsync(options: AapModuleAsyncOptions): DynamicModule {
    if (typeof options?.useFactory !== 'function') {
      throw new TypeError('AapModule.forRootAsync: options.useFactory must be a function returning the module options');
    }
    const inject = [...(options.inject ?? [])];
    const provider: Provider = { provide: AAP_OPTIONS, useFactory: options.useFactory, inject };
    return moduleOf([provider], options.imports ?? [], options.filter);
  }
}

/** The dynamic module around the options provider. */
function moduleOf(options: Provider[], imports: NonNullable<DynamicModule['imports']>, filter: unknown): DynamicModule {
  if (filter !== undefined && typeof filter !== 'boolean') {
    throw new TypeError('AapModule: options.filter must be a boolean');
  }
  const providers: Provider[] = [
    ...options,
    { provide: AAP_ADAPTER, useFactory: settle, inject: [AAP_OPTIONS] },
    { provide: AAP_GUARD, useFactory: (adapter: NestAdapter) => adapter.guard, inject: [AAP_ADAPTER] },
    AapFrontDoor,
    AapDeclarations,
    { provide: APP_GUARD, useClass: AapGuard },
    ...(filter === false ? [] : [{ provide: APP_FILTER, useClass: AapExceptionFilter }]),
  ];
  const exports = [AAP_GUARD, AapDeclarations];
  return { module: AapModule, global: true, imports: [DiscoveryModule, ...imports], providers, exports };
}

/** The options, settled once when the app starts (the guard is created here). */
const settle = (given: AapModuleOptions): NestAdapter => resolveNestOptions(given, process.env);
