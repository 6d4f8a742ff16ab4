import type { JWTVerifyOptions } from 'jose';
import type { Logger } from '../../../base/log/logger.js';
import type { RefResolution } from '../expand-capabilities.js';
import type { IssuerKeys } from '../issuer-keys.js';
import type { IntrospectionMode } from '../../../base/types/options.js';
import { secureUrl } from '../../../base/util/secure-url.js';
import { clientAuthentication } from './client-auth.js';
import type { ConfiguredIntrospection } from './configured.js';
import { introspectedWith, type Introspected } from './introspected.js';
import { Introspector, type IntrospectorSettings } from './introspector.js';
import { isJwt } from './is-jwt.js';

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

/** One issuer's introspection after validation: which tokens, and its own line to its own endpoint. */
export interface IssuerIntrospection {
  readonly mode: IntrospectionMode;
  /** The issuer whose tokens — and only whose tokens — go to this endpoint. */
  readonly issuer: string;
  /** Whether opaque tokens go to this endpoint (at most one issuer's, options.ts). */
  readonly opaqueTokens: boolean;
  /** Its own client, cache (so answers are kept per issuer) and circuit breaker. */
  readonly introspector: Introspector<Introspected>;
}

/**
 * Validate one issuer's introspection options once and build its client. `name` is the option's path
 * (`options.introspection`, `options.issuer[1].introspection`). Throws `TypeError` naming the option.
 */
export function resolveIssuerIntrospection(
  configured: ConfiguredIntrospection,
  context: IntrospectionContext,
): IssuerIntrospection {
  const { issuer, given, name } = configured;
  const mode = given.mode ?? 'opaque';
  if (mode !== 'opaque' && mode !== 'always' && mode !== 'fallback') {
    throw new TypeError(`${name}.mode must be 'opaque', 'always' or 'fallback'`);
  }
  const opaqueTokens = flag(given.opaqueTokens, true, `${name}.opaqueTokens`);
  if (mode === 'opaque' && !opaqueTokens) {
    throw new TypeError(`${name}.opaqueTokens: false with mode 'opaque' introspects no token`);
  }
  const signed = flag(given.jwtResponse, false, `${name}.jwtResponse`);
  const integer = bounded(name);
  const settings: IntrospectorSettings = {
    issuer,
    endpoint: endpointOf(given.endpoint, configured, context.allowInsecure),
    allowInsecure: context.allowInsecure,
    authenticate: clientAuthentication(given.client, `${name}.client`, context.now),
    timeoutMs: integer(given.timeoutMs, 2_000, 'timeoutMs', 1, 60_000),
    cacheSize: integer(given.cacheSize, 10_000, 'cacheSize', 0, 10_000_000),
    maxTtlMs: integer(given.cacheMaxTtl, 60, 'cacheMaxTtl', 0, 86_400) * 1000,
    inactiveTtlMs: integer(given.inactiveTtl, 10, 'inactiveTtl', 0, 3_600) * 1000,
    jwt: signed ? signedAnswers(issuer, given.client.id, context) : undefined,
  };
  const { audiences, clockTolerance, refs } = context;
  const finish = introspectedWith({ issuer, audiences: new Set(audiences), clockTolerance, refs, isJwt });
  return Object.freeze({ mode, issuer, opaqueTokens, introspector: new Introspector(settings, context, finish) });
}

/**
 * RFC 9701 §5: typed, signed by the issuer — with this issuer's keys only —, `aud` this RS (its client id,
 * or one of its audiences), `iat` present.
 */
function signedAnswers(issuer: string, clientId: string, context: IntrospectionContext): IntrospectorSettings['jwt'] {
  const verify: Readonly<JWTVerifyOptions> = Object.freeze({
    issuer,
    audience: [clientId, ...context.audiences],
    typ: 'token-introspection+jwt',
    algorithms: [...context.algorithms],
    requiredClaims: ['iat'],
    clockTolerance: context.clockTolerance,
  });
  return { key: context.keys.byIssuer.get(issuer)!.key, verify, now: context.now };
}

/**
 * The endpoint given, or `undefined`: read from the issuer's metadata, which is then fetched over the
 * issuer's URL — both held to the one URL rule (base/util/secure-url.ts): tokens and client credentials go there.
 */
function endpointOf(value: unknown, configured: ConfiguredIntrospection, allowInsecure: boolean): URL | undefined {
  const { issuer, name } = configured;
  if (value !== undefined) return secureUrl(value, `${name}.endpoint`, allowInsecure);
  if (!/^https?:$/.test(URL.parse(issuer)?.protocol ?? '')) {
    throw new TypeError(`${name}.endpoint is required: issuer ${issuer} is no URL to read RFC 8414 metadata from`);
  }
  secureUrl(issuer, `${name}: the metadata of issuer`, allowInsecure);
  return undefined;
}

function flag(value: unknown, fallback: boolean, name: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`${name} must be a boolean`);
  return value;
}

function bounded(name: string) {
  return (value: unknown, fallback: number, option: string, min: number, max: number): number => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new TypeError(`${name}.${option} must be an integer between ${min} and ${max}`);
    }
    return value;
  };
}
