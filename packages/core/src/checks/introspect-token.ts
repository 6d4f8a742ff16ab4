import type { Introspected } from '../introspection/introspected.js';
import { checkLifetime } from '../token/lifetime.js';
import { InfrastructureError } from '../util/errors.js';
import { tokenHash } from '../util/hash.js';
import { deny, type Deny } from '../deny/deny.js';
import type { CheckContext } from './context.js';

/**
 * Step 2 for what the authorization server vouches for (RFC 7662): an opaque token gets its claims from
 * the introspection answer (normalized like a JWT's, then checked against the request time); a JWT that
 * passed its local verification is introspected too when `introspection.mode` is `always`, or `fallback`
 * while the revocation list cannot vouch — an inactive answer refuses it (`token_inactive`). Answers come
 * from the introspector's cache when it has them (no await); an outage is a 503 whose `Retry-After` is
 * the time left on the circuit breaker.
 *
 * @example
 * // in verify-token.ts: an opaque token, or a JWT once verified
 * return introspectToken(ctx, token, false);
 */
export function introspectToken(ctx: CheckContext, token: string, verifiedJwt: boolean): Deny | undefined | Promise<Deny | undefined> {
  const settings = ctx.options.token.introspection;
  if (!settings) return undefined;
  if (verifiedJwt && settings.mode !== 'always' && (settings.mode !== 'fallback' || ctx.options.revocation.local.synced)) return undefined;
  const outcome = settings.introspector.lookup(token);
  return outcome instanceof Promise ? outcome.then((settled) => apply(ctx, settled), (error: unknown) => unavailable(ctx, token, error)) : apply(ctx, outcome);
}

function apply(ctx: CheckContext, outcome: Introspected): Deny | undefined {
  ctx.tokenHash ??= outcome.tokenHash;
  if (outcome.deny) return outcome.deny;
  if (outcome.verified) {
    const outside = checkLifetime(outcome.verified, ctx.now);
    if (outside) return outside;
    ctx.claims = outcome.verified.claims;
  }
  ctx.introspected = true;
  return undefined;
}

function unavailable(ctx: CheckContext, token: string, error: unknown): Deny {
  if (!(error instanceof InfrastructureError)) throw error;
  ctx.tokenHash ??= tokenHash(token);
  const waitMs = error.reason === 'introspection_unavailable' ? (ctx.options.token.introspection?.introspector.retryAfterMs() ?? 0) : 5_000;
  const retryAfter = String(Math.max(1, Math.ceil(waitMs / 1000)));
  return deny(error.reason, { check: 'introspection', fault: error.message }, { headers: { 'retry-after': retryAfter } });
}
