/**
 * Free names of @aap-guard/nestjs's `@example` blocks (scripts/check-examples.mjs): `@nestjs/config`'s
 * module and service as far as the examples use them (the package does not depend on it).
 */

/** `ConfigModule` of `@nestjs/config`. */
export declare class ConfigModule {}
/** `ConfigService` of `@nestjs/config`. */
export declare class ConfigService {
  get<T = string>(key: string): T | undefined;
}
