import { decodeProtectedHeader, type JWTVerifyOptions } from 'jose';
import type { Logger } from '../observe/logger.js';
import type { RefResolution } from '../token/expand-capabilities.js';
import type { IssuerKeys } from '../token/issuer-keys.js';
import type { IntrospectionMode, IntrospectionOptions } from '../types.js';
import { secureUrl } from '../util/secure-url.js';
import { clientAuthentication } from './client-auth.js';
import { introspectedWith, type Introspected } from './introspected.js';
import { Introspector } from './introspector.js';

/** Introspection after validation: the mode and the endpoint's client. */
export interface IntrospectionSettings {
  readonly mode: IntrospectionMode;
  readonly issuer: string;
  readonly introspector: Introspector<Introspected>;
}

/** What resolving the introspection options needs from the token options. */
export interface IntrospectionContext {
  readonly now: () => number;
  readonly logger: Logger;
  readonly keys: IssuerKeys;
  readonly audiences: readonly string[];
  readonly clockTolerance: number;
  readonly algorithms: readonly string[];
  readonly refs: RefResolution | undefined;
  /** `allowInsecureRequests`. */
  readonly allowInsecure: boolean;
}

/**
 * Validate `options.introspection` once and build its client. Throws `TypeError` naming the option.
 *
 * @example
 * const introspection = resolveIntrospectionOptions(options.introspection, context);
 */
export function resolveIntrospectionOptions(given: IntrospectionOptions | undefined, context: IntrospectionContext): IntrospectionSettings | undefined {
  if (given === undefined) return undefined;
  if (given === null || typeof given !== 'object') throw new TypeError('options.introspection must be an object');
  const issuer = issuerOf(given.issuer, context.keys.issuers);
  const mode = given.mode ?? 'opaque';
  if (mode !== 'opaque' && mode !== 'always' && mode !== 'fallback') throw new TypeError("options.introspection.mode must be 'opaque', 'always' or 'fallback'");
  if (given.jwtResponse !== undefined && typeof given.jwtResponse !== 'boolean') throw new TypeError('options.introspection.jwtResponse must be a boolean');
  const authenticate = clientAuthentication(given.client, 'options.introspection.client', context.now);
  const jwt = given.jwtResponse ? { key: context.keys.byIssuer.get(issuer)!.key, verify: jwtVerifyOptions(issuer, given.client.id, context), now: context.now } : undefined;
  const settings = {
    issuer,
    endpoint: endpointOf(given.endpoint, issuer, context.allowInsecure),
    allowInsecure: context.allowInsecure,
    authenticate,
    timeoutMs: integer(given.timeoutMs, 2_000, 'timeoutMs', 1, 60_000),
    cacheSize: integer(given.cacheSize, 10_000, 'cacheSize', 0, 10_000_000),
    maxTtlMs: integer(given.cacheMaxTtl, 60, 'cacheMaxTtl', 0, 86_400) * 1000,
    inactiveTtlMs: integer(given.inactiveTtl, 10, 'inactiveTtl', 0, 3_600) * 1000,
    jwt,
  };
  const finish = introspectedWith({ issuer, audiences: new Set(context.audiences), clockTolerance: context.clockTolerance, refs: context.refs, isJwt });
  return Object.freeze({ mode, issuer, introspector: new Introspector(settings, context, finish) });
}

/**
 * A compact JWS (three parts) or JWE (five) whose header decodes: verified locally. Anything else is an
 * opaque token for the introspection endpoint (RFC 7662 §1: the RS cannot read it).
 *
 * @example
 * isJwt('eyJhbGciOiJFUzI1NiJ9.e30.sig') // true
 */
export function isJwt(token: string): boolean {
  const dots = token.split('.').length - 1;
  if (dots !== 2 && dots !== 4) return false;
  try {
    decodeProtectedHeader(token);
    return true;
  } catch {
    return false;
  }
}

/** RFC 9701 §5: typed, signed by the issuer, `aud` this RS (its client id, or one of its audiences), `iat` present. */
function jwtVerifyOptions(issuer: string, clientId: string, context: IntrospectionContext): Readonly<JWTVerifyOptions> {
  return Object.freeze({
    issuer,
    audience: [clientId, ...context.audiences],
    typ: 'token-introspection+jwt',
    algorithms: [...context.algorithms],
    requiredClaims: ['iat'],
    clockTolerance: context.clockTolerance,
  });
}

function issuerOf(value: unknown, issuers: readonly string[]): string {
  if (value === undefined) {
    if (issuers.length !== 1) throw new TypeError('options.introspection.issuer is required when several issuers are trusted');
    return issuers[0]!;
  }
  if (typeof value !== 'string' || !issuers.includes(value)) throw new TypeError('options.introspection.issuer must be one of the trusted issuers (options.issuer)');
  return value;
}

/**
 * The endpoint given, or `undefined`: read from the issuer's metadata, which is then fetched over the
 * issuer's URL — both held to the one URL rule (util/secure-url.ts): tokens and client credentials go there.
 */
function endpointOf(value: unknown, issuer: string, allowInsecure: boolean): URL | undefined {
  if (value !== undefined) return secureUrl(value, 'options.introspection.endpoint', allowInsecure);
  if (!/^https?:$/.test(URL.parse(issuer)?.protocol ?? '')) {
    const why = `issuer ${issuer} is no URL to read RFC 8414 metadata from`;
    throw new TypeError(`options.introspection.endpoint is required: ${why}`);
  }
  secureUrl(issuer, 'options.introspection: the metadata of issuer', allowInsecure);
  return undefined;
}

function integer(value: unknown, fallback: number, name: string, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`options.introspection.${name} must be an integer between ${min} and ${max}`);
  }
  return value;
}
