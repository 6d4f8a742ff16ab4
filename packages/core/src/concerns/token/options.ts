import type { JWTVerifyOptions } from 'jose';
import type { Logger } from '../../base/log/logger.js';
import type { GuardOptions } from '../../base/types/options.js';
import { resolveAlgorithms } from './algorithms.js';
import { TokenCache, type VerifiedToken } from './cache.js';
import { resolveIssuerKeys, type IssuerKeys } from './issuer-keys.js';
import { resolveIntrospectionOptions, type IntrospectionRuntime } from './introspection/options.js';
import { CapabilityRefs, resolveCapabilityRefOptions } from './capability-refs.js';
import type { RefResolution } from './expand-capabilities.js';
import { resolveFailedValidations, type FailedValidations } from './failed-validations.js';

/** Token verification's settings: validated once, frozen data. */
export interface TokenSettings {
  readonly issuers: ReadonlySet<string>;
  readonly audiences: ReadonlySet<string>;
  /** Seconds, 0…300. */
  readonly clockTolerance: number;
  /** Bytes. */
  readonly maxTokenSize: number;
  /** Bytes of an `application/x-www-form-urlencoded` body read to look for `access_token`. */
  readonly maxFormBodySize: number;
  readonly algorithms: readonly string[];
  readonly requireTyp: boolean;
  /** jose `jwtVerify` options, built once. */
  readonly verifyOptions: Readonly<JWTVerifyOptions>;
  /** `allowInsecureRequests`: http URLs on non-loopback hosts are accepted (base/util/secure-url.ts). */
  readonly allowInsecureRequests: boolean;
}

/** Token verification's runtime: each issuer's key source, the caches, the introspection clients. */
export interface TokenRuntime {
  /** Each issuer's key source, built once, and the issuers' state scopes. */
  readonly keys: IssuerKeys;
  /** Verified-token cache; undefined when `tokenCacheSize` is 0. */
  readonly cache: TokenCache | undefined;
  /** The cache's lookup, bound once: step 1 finds a repeated token's entry while parsing the header. */
  readonly lookup: ((token: string) => VerifiedToken | undefined) | undefined;
  /** Token introspection (RFC 7662) per issuer, when configured. */
  readonly introspection: IntrospectionRuntime | undefined;
  /** How `capabilities_ref` is resolved, with its cache. */
  readonly capabilityRefs: RefResolution;
  /**
   * Draft §5.3 "SHOULD warn when a serialized token exceeds 4KB": told of every token verified fresh, warns once per
   * issuer.
   */
  readonly sizeNotice: (iss: string, bytes: number) => void;
  /** Failed validations per client address (this replica's); undefined with `failedValidations: false`. */
  readonly failures: FailedValidations | undefined;
}

/** Draft "Clock Skew": tolerance MUST NOT exceed 5 minutes. */
const MAX_TOLERANCE = 300;

/**
 * Validate the token options once, at `createGuard()`, and build the issuers' key sources, the
 * verified-token cache (which a key rotation prunes) and the (once-compiled) claims validator. Key-source
 * events go to `logger`. Throws `TypeError` naming the option.
 */
export function resolveTokenOptions(
  options: GuardOptions,
  logger: Logger,
): { readonly settings: TokenSettings; readonly runtime: TokenRuntime } {
  const audiences = stringList(options.audience, 'audience');
  const now = typeof options.now === 'function' ? options.now : Date.now;
  const algorithms = resolveAlgorithms(options.algorithms);
  const requireTyp = flag(options.requireTyp, 'requireTyp');
  const clockTolerance = seconds(options.clockTolerance);
  const maxTokenSize = integer(options.maxTokenSize, 16_384, 'maxTokenSize', 1, 1_048_576);
  const maxFormBodySize = integer(options.maxFormBodySize, 102_400, 'maxFormBodySize', 0, 16_777_216);
  const cacheSize = integer(options.tokenCacheSize, 10_000, 'tokenCacheSize', 0, 10_000_000);
  const cache = cacheSize > 0 ? new TokenCache(cacheSize, now) : undefined;
  const keys = resolveIssuerKeys(options, { now, logger, evict: (source, kids) => cache?.evict(source, kids) ?? 0 });
  const issuers = [...keys.issuers];
  const allowInsecure = flag(options.allowInsecureRequests, 'allowInsecureRequests');
  const capabilityRefs = capabilityResolution(options, now, logger, allowInsecure);
  const context = { now, logger, keys, audiences, clockTolerance, algorithms, refs: capabilityRefs, allowInsecure };
  const introspection = resolveIntrospectionOptions(options, context);
  if (capabilityRefs.mode === 'introspection' && !introspection) {
    const how = "options.introspection or an issuer's { issuer, introspection }";
    throw new TypeError(`options.capabilitiesRef.resolve 'introspection' needs introspection (${how})`);
  }
  const settings: TokenSettings = Object.freeze({
    issuers: new Set(issuers),
    audiences: new Set(audiences),
    clockTolerance,
    maxTokenSize,
    maxFormBodySize,
    algorithms,
    requireTyp,
    verifyOptions: Object.freeze({
      algorithms: [...algorithms],
      issuer: issuers,
      audience: audiences,
      requiredClaims: ['exp'], // RFC 9068 §2.2
      ...(requireTyp ? { typ: 'at+jwt' } : {}), // RFC 9068 §2.1; jose also accepts application/at+jwt
      // jose checks that exp/nbf/iat are numbers; the time comparisons are ours (lifetime.ts), on the
      // injected clock and identical for fresh and cached tokens. A tolerance this large disables jose's.
      clockTolerance: Number.MAX_SAFE_INTEGER,
    }),
    allowInsecureRequests: allowInsecure,
  });
  const failures = resolveFailedValidations(options.failedValidations);
  const sizeNotice = largeTokenNotice(logger);
  const runtime: TokenRuntime = Object.freeze({
    keys,
    cache,
    lookup: cache && ((token: string) => cache.get(token)),
    introspection,
    capabilityRefs,
    sizeNotice,
    failures,
  });
  return { settings, runtime };
}

/**
 * Draft §5.3: the size past which a serialized token is worth a warning (headers of 8 KB are a common server limit).
 */
const LARGE_TOKEN = 4096;

/**
 * One `token.large` warning per issuer (verified `iss`, so the set is bounded by the trusted issuers) the
 * first time one of its tokens exceeds 4 KB — the draft suggests introspection or `capabilities_ref` then.
 */
function largeTokenNotice(logger: Logger): (iss: string, bytes: number) => void {
  const warned = new Set<string>();
  return (iss, bytes) => {
    if (bytes <= LARGE_TOKEN || warned.has(iss)) return;
    warned.add(iss);
    const message = `tokens of ${iss} exceed 4 KB (${bytes} bytes): servers and proxies often cap headers at 8 KB; consider capabilities_ref or introspection (draft §5.3)`;
    logger.warn({ event: 'token.large', issuer: iss, bytes, limit: LARGE_TOKEN }, message);
  };
}

function capabilityResolution(
  options: GuardOptions,
  now: () => number,
  logger: Logger,
  allowInsecure: boolean,
): RefResolution {
  const { mode, allowedUrls, settings } = resolveCapabilityRefOptions(options.capabilitiesRef, allowInsecure);
  return Object.freeze({ mode, allowedUrls, allowInsecure, refs: new CapabilityRefs(settings, { now, logger }) });
}

function stringList(value: unknown, name: string): string[] {
  const list = typeof value === 'string' ? [value] : Array.isArray(value) ? [...(value as unknown[])] : [];
  if (list.length === 0 || list.some((item) => typeof item !== 'string' || item.length === 0)) {
    throw new TypeError(`options.${name} must be a non-empty string or a non-empty array of non-empty strings`);
  }
  return list as string[];
}

function flag(value: unknown, name: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new TypeError(`options.${name} must be a boolean`);
  return value;
}

function seconds(value: unknown): number {
  if (value === undefined) return 300;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_TOLERANCE) {
    throw new TypeError(
      `options.clockTolerance must be a number of seconds between 0 and ${MAX_TOLERANCE} (draft "Clock Skew")`,
    );
  }
  return value;
}

function integer(value: unknown, fallback: number, name: string, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`options.${name} must be an integer between ${min} and ${max}`);
  }
  return value;
}
