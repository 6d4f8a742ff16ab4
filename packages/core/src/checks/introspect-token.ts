import type { Introspected } from '../concerns/token/introspection/introspected.js';
import type { IssuerIntrospection } from '../concerns/token/introspection/issuer-introspection.js';
import { checkLifetime } from '../concerns/token/lifetime.js';
import { InfrastructureError } from '../base/util/errors.js';
import { tokenHash } from '../base/util/hash.js';
import { deny, type Deny } from '../base/deny/deny.js';
import type { CheckContext } from './context.js';

/**
 * Step 2 for what the authorization server vouches for (RFC 7662): an opaque token gets its claims from
 * the introspection answer (normalized like a JWT's, then checked against the request time); a JWT that
 * passed its local verification is introspected too when its issuer's `introspection.mode` is `always`, or
 * `fallback` while the revocation list cannot vouch — an inactive answer refuses it (`token_inactive`). A
 * token goes to ONE endpoint: a JWT to that of the issuer that signed it (its verified `iss`; an issuer
 * without introspection is not introspected), an opaque token to the issuer configured for opaque tokens
 * (no other hint exists before the answer). Answers come from that issuer's cache when it has them (no
 * await); an outage is a 503 whose `Retry-After` is the time left on that issuer's circuit breaker.
 */
export function introspectToken(
  ctx: CheckContext,
  token: string,
  verifiedJwt: boolean,
): Deny | undefined | Promise<Deny | undefined> {
  const settings = ctx.runtime.token.introspection;
  if (!settings) return undefined;
  const line = verifiedJwt ? settings.byIssuer.get(ctx.claims!.iss) : settings.opaque;
  if (!line) return verifiedJwt ? undefined : deny('token_malformed', { problem: 'no issuer takes opaque tokens' });
  if (verifiedJwt && !asked(ctx, line)) return undefined;
  const outcome = line.introspector.lookup(token);
  if (!(outcome instanceof Promise)) return apply(ctx, outcome);
  return outcome.then(
    (settled) => apply(ctx, settled),
    (error: unknown) => unavailable(ctx, token, line, error),
  );
}

/** A verified JWT is introspected in mode `always`, or `fallback` while the revocation list cannot vouch. */
function asked(ctx: CheckContext, line: IssuerIntrospection): boolean {
  return line.mode === 'always' || (line.mode === 'fallback' && !ctx.runtime.revocation.local.synced);
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

function unavailable(ctx: CheckContext, token: string, line: IssuerIntrospection, error: unknown): Deny {
  if (!(error instanceof InfrastructureError)) throw error;
  ctx.tokenHash ??= tokenHash(token);
  const waitMs = error.reason === 'introspection_unavailable' ? line.introspector.retryAfterMs() : 5_000;
  const retryAfter = String(Math.max(1, Math.ceil(waitMs / 1000)));
  const headers = { 'retry-after': retryAfter };
  return deny(error.reason, { check: 'introspection', fault: error.message }, { headers });
}
