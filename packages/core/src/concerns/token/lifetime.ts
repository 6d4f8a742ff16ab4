import { deny, type Deny } from '../../base/deny/deny.js';

/** The validity interval of a token, in ms on the guard's clock, tolerance included. */
export interface Lifetime {
  /** Last admissible instant: `(exp + clockTolerance) * 1000`. */
  readonly notAfter: number;
  /** First admissible instant: `(max(nbf, iat) - clockTolerance) * 1000`, or -Infinity. */
  readonly notBefore: number;
  /** The claim that set `notBefore`, for the audit detail. */
  readonly notBeforeClaim: 'nbf' | 'iat' | undefined;
}

/**
 * Compute a token's validity interval from its `exp` (REQUIRED, RFC 9068 §2.2), `nbf` and `iat`.
 * The draft's vector "expired-token" accepts a token at exactly `exp + tolerance`, so the interval is
 * closed. The draft's clock-skew table also lists 0 s past `exp` as REJECTED ("exclusive boundary") beside
 * 240 s past as ACCEPTED: the two rows contradict each other, and the guard keeps the tolerance on `exp`
 * (test/vectors/clock-skew-table.test.ts). An `iat` in the future beyond the tolerance is not yet valid
 * (RFC 7519 §4.1.6).
 * Returns a deny for non-numeric or non-finite values.
 *
 * @example
 * const life = lifetimeOf({ exp: 1704067200 }, 300); // notAfter 1704067500000
 */
export function lifetimeOf(
  payload: { readonly exp?: unknown; readonly nbf?: unknown; readonly iat?: unknown },
  tolerance: number,
): Lifetime | Deny {
  const { exp, nbf, iat } = payload;
  if (!isTime(exp)) return deny('token_claims_invalid', { path: '/exp', keyword: 'type' });
  if (nbf !== undefined && !isTime(nbf)) return deny('token_claims_invalid', { path: '/nbf', keyword: 'type' });
  if (iat !== undefined && !isTime(iat)) return deny('token_claims_invalid', { path: '/iat', keyword: 'type' });
  const start = Math.max(nbf ?? -Infinity, iat ?? -Infinity);
  return {
    notAfter: (exp + tolerance) * 1000,
    notBefore: (start - tolerance) * 1000,
    notBeforeClaim: start === -Infinity ? undefined : start === nbf ? 'nbf' : 'iat',
  };
}

/**
 * Check an interval against the request time (ms). Runs on every request, cached or not.
 *
 * @example
 * const outcome = checkLifetime(life, ctx.now); // undefined, or deny('token_expired', …)
 */
export function checkLifetime(life: Lifetime, now: number): Deny | undefined {
  if (now > life.notAfter) return deny('token_expired', { claim: 'exp' });
  if (now < life.notBefore) return deny('token_not_yet_valid', { claim: life.notBeforeClaim });
  return undefined;
}

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
