import { normalizeClaims } from '../base/claims/normalize.js';
import { isJwt } from '../concerns/token/introspection/is-jwt.js';
import { expandCapabilities } from '../concerns/token/expand-capabilities.js';
import type { VerifiedToken } from '../concerns/token/cache.js';
import { keySourceFor } from '../concerns/token/issuer-keys.js';
import { checkLifetime, lifetimeOf } from '../concerns/token/lifetime.js';
import { verifyJwt } from '../concerns/token/verify-jwt.js';
import { structureDeny } from '../concerns/token/structure.js';
import type { KeySource } from '../concerns/token/key-source.js';
import { tokenHash } from '../base/util/hash.js';
import { deny, type Deny } from '../base/deny/deny.js';
import type { Check, CheckContext } from './context.js';
import { introspectToken } from './introspect-token.js';
import { countsAsFailedValidation, sourceOf } from '../concerns/token/failed-validations.js';
import { clientIp } from '../base/request/client-ip.js';
import type { Awaitable } from '../base/util/awaitable.js';

/**
 * Step 2: the access token. A token seen before and still cached costs a map lookup and two
 * comparisons against the request time — as long as the key set that verified it is fresh; once it is
 * stale the set is refreshed first, and a refresh that withdrew the token's key has evicted it, so it
 * is verified again (and refused). Otherwise the issuer's keys are picked by `iss` (concerns/token/issuer-keys.ts),
 * jose verifies the JWS (verify-jwt.ts), the lifetime is checked with `clockTolerance`, and the AAP
 * claims are normalized and validated (base/claims/normalize.ts). Only tokens that pass everything are
 * cached. A token not cached is first held to its client address's failed-validation budget (`uncached`).
 * Sets `ctx.claims` and `ctx.tokenHash` (the hash also on denies, for the audit).
 */
export const verifyToken: Check = (ctx) => {
  const credentials = ctx.credentials;
  if (!credentials) return deny('credentials_missing');
  const token = credentials.token;
  const hit = ctx.cached; // looked up once, by step 1
  if (!hit) return uncached(ctx, token);
  const refreshing = hit.key.source.revalidate(ctx.now);
  return refreshing ? refreshing.then(() => afterRefresh(ctx, token)) : admit(ctx, hit, token);
};

/** The key set was refreshed: the entry is still there unless its key was withdrawn. */
function afterRefresh(ctx: CheckContext, token: string): Awaitable<Deny | undefined> {
  const hit = ctx.runtime.token.cache?.get(token);
  return hit ? admit(ctx, hit, token) : uncached(ctx, token);
}

/**
 * A token not verified before: refused at once while its client address is over its failed-validation
 * budget (draft §12.11, `options.failedValidations`), else verified — and counted against the address when
 * the token itself failed. Only here: a cached token never costs a lookup, and nothing else is counted.
 */
function uncached(ctx: CheckContext, token: string): Awaitable<Deny | undefined> {
  const failures = ctx.runtime.token.failures;
  if (!failures) return verifyUncached(ctx, token);
  const ip = clientIp(ctx);
  const waitMs = failures.wait(ip, ctx.now);
  if (waitMs > 0) {
    ctx.tokenHash = tokenHash(token);
    const { max, windowMs } = failures.settings;
    const headers = { 'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))) };
    return deny('too_many_failed_validations', { source: sourceOf(ip), max, windowMs }, { headers });
  }
  const done = failures.begin(ip); // holds a place in the budget until the outcome is known
  const settle = (outcome: Deny | undefined): Deny | undefined => {
    done();
    if (outcome && countsAsFailedValidation(outcome.reason)) failures.record(ip, ctx.now);
    return outcome;
  };
  let verified: Awaitable<Deny | undefined>;
  try {
    verified = verifyUncached(ctx, token);
  } catch (error) {
    done();
    throw error;
  }
  if (!(verified instanceof Promise)) return settle(verified);
  return verified.then(settle, (error: unknown) => {
    done();
    throw error;
  });
}

function verifyUncached(ctx: CheckContext, token: string): Awaitable<Deny | undefined> {
  const opaque = ctx.runtime.token.introspection?.opaque && !isJwt(token);
  return opaque ? introspectToken(ctx, token, false) : verifyFresh(ctx, token);
}

/**
 * A token not in the cache. What is refused on its structure alone (no key, no signature: a flood of
 * garbage) is refused synchronously, without jose — before the key source is picked, which with several
 * issuers decodes the payload (jose `decodeJwt`) to read `iss`; the rest is verified.
 */
function verifyFresh(ctx: CheckContext, token: string): Deny | Promise<Deny | undefined> {
  const hash = tokenHash(token);
  ctx.tokenHash = hash;
  const malformed = structureDeny(token, ctx.settings.token.verifyOptions.algorithms);
  if (malformed) return malformed;
  const source = keySourceFor(ctx.runtime.token.keys, token);
  return 'reason' in source ? source : verifySigned(ctx, token, hash, source);
}

async function verifySigned(
  ctx: CheckContext,
  token: string,
  hash: string,
  source: KeySource,
): Promise<Deny | undefined> {
  const options = ctx.settings.token;
  const runtime = ctx.runtime.token;
  const epoch = source.epoch;
  const verified = await verifyJwt(token, source.key, options.verifyOptions);
  if ('reason' in verified) return verified;
  const life = lifetimeOf(verified.payload, options.clockTolerance);
  if ('reason' in life) return life;
  const expired = checkLifetime(life, ctx.now);
  if (expired) return expired;
  const iss = verified.payload.iss as string; // verified: one of the trusted issuers
  runtime.sizeNotice(iss, token.length); // a JWT is ASCII: its length is its size in bytes
  const fromIntrospection = () => capabilitiesOf(ctx, token, iss);
  const expanded = await expandCapabilities(verified.payload, runtime.capabilityRefs, fromIntrospection);
  if ('reason' in expanded) return expanded;
  const claims = normalizeClaims(expanded.payload);
  if ('reason' in claims) return claims;
  const kid = typeof verified.header.kid === 'string' ? verified.header.kid : undefined;
  const entry: VerifiedToken = Object.freeze({ ...life, claims, tokenHash: hash, key: Object.freeze({ source, kid }) });
  // A rotation that withdrew keys while this token was being verified may have withdrawn its key: admit
  // this request (it began before), but do not cache what the eviction could no longer reach.
  // A set given by reference is used while fresh: the cached token is verified again after that.
  if (source.epoch === epoch) runtime.cache?.set(token, entry, Math.min(claims.exp, expanded.freshUntil / 1000));
  ctx.claims = claims;
  ctx.signedBy = kid ?? null;
  return introspectToken(ctx, token, true);
}

/**
 * `capabilitiesRef.resolve: 'introspection'`: the capabilities of the answer for this JWT, or the answer's
 * deny — from the endpoint of the issuer that signed it, never another issuer's (whose word on this token's
 * capabilities counts for nothing). An issuer without introspection cannot resolve a reference this way.
 */
async function capabilitiesOf(ctx: CheckContext, token: string, iss: string): Promise<unknown> {
  const line = ctx.runtime.token.introspection?.byIssuer.get(iss);
  const problem = 'its issuer has no introspection';
  if (!line) return deny('token_claims_invalid', { path: '/capabilities_ref', problem });
  const outcome = await line.introspector.lookup(token);
  return outcome.deny ?? outcome.capabilities;
}

function admit(ctx: CheckContext, hit: VerifiedToken, token: string): Deny | undefined | Promise<Deny | undefined> {
  ctx.tokenHash = hit.tokenHash;
  const outside = checkLifetime(hit, ctx.now);
  if (outside) return outside;
  ctx.claims = hit.claims;
  ctx.signedBy = hit.key.kid ?? null;
  return introspectToken(ctx, token, true);
}
