import type { AapClaims } from '../../base/claims/model.js';
import type { IssuerScope } from '../token/issuer-scope.js';
import type { GuardOptions, RateLimitKeyContext, RateLimitMode, WindowUnit } from '../../base/types/options.js';

/**
 * Whose budget a request consumes, resolved once: returns the subject — which starts with the issuer
 * scope's id, so no two authorization servers share one — or undefined when it has none.
 */
export type RateLimitKey = (claims: AapClaims, tokenHash: string | undefined, scope: IssuerScope) => string | undefined;

/** Rate-limit settings: validated once, frozen. */
export interface RateLimitSettings {
  /** Window semantics per unit: the spec's `{ minute: 'sliding', hour: 'fixed', day: 'fixed' }` by default. */
  readonly modes: Readonly<Record<WindowUnit, RateLimitMode>>;
  /** The subject whose windows a request consumes. */
  readonly key: RateLimitKey;
  /** Send RateLimit headers on allowed responses too. */
  readonly headersOnAllow: boolean;
}

const UNITS: readonly WindowUnit[] = ['minute', 'hour', 'day'];
/** §5.6.1: the minute slides; the hour resets at minute 0, the day at 00:00 UTC. */
const SPEC_MODES: Readonly<Record<WindowUnit, RateLimitMode>> = Object.freeze({
  minute: 'sliding',
  hour: 'fixed',
  day: 'fixed',
});
const isMode = (value: unknown): value is RateLimitMode => value === 'sliding' || value === 'fixed';

/*
 * Subjects: `<scope id>:<kind>:<value>`. The scope id has no `:`, so the issuer part is unambiguous; the
 * task subject gives the agent id's length, so `a:b` + `c` and `a` + `b:c` stay two subjects.
 */

/** The spec's key: the token (`jti`); a token without `jti` is identified by its hash instead. */
const byToken: RateLimitKey = (claims, tokenHash, scope) =>
  typeof claims.jti === 'string' && claims.jti !== ''
    ? `${scope.id}:jti:${claims.jti}`
    : tokenHash && `${scope.id}:tok:${tokenHash}`;
const byAgent: RateLimitKey = (claims, _hash, scope) => `${scope.id}:agent:${claims.agent.id}`;
const byTask: RateLimitKey = (claims, _hash, scope) =>
  `${scope.id}:task:${claims.agent.id.length}:${claims.agent.id}:${claims.task.id}`;

/**
 * Validate `options.rateLimit` once; throws `TypeError` naming the option.
 *
 * @example
 * resolveRateLimitOptions({ ...options, rateLimit: { mode: { hour: 'sliding' } } }).modes; // { minute: 'sliding',
 * // hour: 'sliding', day: 'fixed' }
 */
export function resolveRateLimitOptions(options: GuardOptions): RateLimitSettings {
  const rateLimit = options.rateLimit ?? {};
  if (rateLimit === null || typeof rateLimit !== 'object') throw new TypeError('options.rateLimit must be an object');
  const headersOnAllow = rateLimit.headersOnAllow ?? true;
  if (typeof headersOnAllow !== 'boolean') throw new TypeError('options.rateLimit.headersOnAllow must be a boolean');
  return Object.freeze({ modes: resolveModes(rateLimit.mode), key: resolveKey(rateLimit.key), headersOnAllow });
}

function resolveModes(mode: unknown): Readonly<Record<WindowUnit, RateLimitMode>> {
  if (mode === undefined) return SPEC_MODES;
  if (isMode(mode)) return Object.freeze({ minute: mode, hour: mode, day: mode });
  if (mode === null || typeof mode !== 'object') {
    throw new TypeError("options.rateLimit.mode must be 'sliding', 'fixed' or { minute?, hour?, day? } of those");
  }
  const byUnit = mode as Record<string, unknown>;
  for (const name of Object.keys(byUnit)) {
    if (!UNITS.includes(name as WindowUnit) || !isMode(byUnit[name])) {
      throw new TypeError(`options.rateLimit.mode.${name} must be 'sliding' or 'fixed' (units: minute, hour, day)`);
    }
  }
  const pick = (unit: WindowUnit): RateLimitMode => (byUnit[unit] as RateLimitMode | undefined) ?? SPEC_MODES[unit];
  return Object.freeze({ minute: pick('minute'), hour: pick('hour'), day: pick('day') });
}

function resolveKey(key: unknown): RateLimitKey {
  if (key === undefined || key === 'jti') return byToken;
  if (key === 'agent') return byAgent;
  if (key === 'task') return byTask;
  if (typeof key === 'function') return custom(key as (claims: AapClaims, context: RateLimitKeyContext) => unknown);
  throw new TypeError(
    "options.rateLimit.key must be 'jti', 'agent', 'task' or a function (claims, { issuer }) => string",
  );
}

/** A function's key, scoped by issuer like the built-in ones: it is told the issuer, it cannot leave its scope. */
function custom(key: (claims: AapClaims, context: RateLimitKeyContext) => unknown): RateLimitKey {
  const contexts = new WeakMap<IssuerScope, RateLimitKeyContext>(); // one frozen context per scope, not per request
  return (claims, _hash, scope) => {
    let context = contexts.get(scope);
    if (!context) contexts.set(scope, (context = Object.freeze({ issuer: scope.issuer })));
    const subject = key(claims, context);
    return typeof subject === 'string' && subject !== '' ? `${scope.id}:fn:${subject}` : undefined;
  };
}
