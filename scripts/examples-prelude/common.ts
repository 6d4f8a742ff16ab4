/**
 * The free names that `@example` blocks of every package may assume (scripts/check-examples.mjs): a guard,
 * its options, a token, the clock, a decision, a hold, a Redis client, a logger, a store. Declarations only,
 * with the types the code has; nothing here runs. A package's own prelude (core.ts, express.ts, …) comes
 * first, so `app` is an Express app in @aap-guard/express and a Koa app in @aap-guard/koa.
 */
import type {
  AapClaims,
  Decision,
  Guard,
  GuardOptions,
  Hold,
  Logger,
  RequestInfo,
  RouteSpec,
  Store,
} from '@aap-guard/core';
import type { Redis } from 'ioredis';

export declare const guard: Guard;
export declare const options: GuardOptions;
/** The authorization server's issuer identifier. */
export declare const issuer: string;
/** This API's audience. */
export declare const audience: string;
/** A route's requirements, as `aap.require(…)` takes them. */
export declare const route: RouteSpec;
/** A compact JWT access token. */
export declare const token: string;
/** The clock, in ms. */
export declare const now: number;
export declare const decision: Decision;
export declare const hold: Hold;
export declare const redis: Redis;
export declare const logger: Logger;
export declare const store: Store;
export declare const claims: AapClaims;
export declare const request: RequestInfo;
/** Your own check that a request comes from an administrator (adapter-specific request type). */
export declare function isAdmin(request: unknown): boolean;
/** Your own check of an administrator's key. */
export declare function isAdminKey(key: string | undefined): boolean;
