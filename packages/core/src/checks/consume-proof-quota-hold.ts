import { consumeApproved, createHeld } from './hold-step.js';
import { rateLimitHeaders } from '../concerns/rate-limits/headers.js';
import { requestKeys } from '../concerns/rate-limits/keys.js';
import { scopeOf } from '../concerns/token/issuer-scope.js';
import { capabilityWindows, type RateLimitWindow } from '../concerns/rate-limits/windows.js';
import { storeChannel, traced } from '../base/observe/channels.js';
import {
  CONSUME_NOW,
  type ConsumeRequest,
  type ConsumeResult,
  type ConsumesNow,
  type Store,
  type WindowSpec,
} from '../base/stores/store.js';
import { andThen, type Awaitable } from '../base/util/awaitable.js';
import { InfrastructureError } from '../base/util/errors.js';
import { deny, type Deny } from '../base/deny/deny.js';
import type { Check, CheckContext } from './context.js';

const NO_WINDOWS: readonly RateLimitWindow[] = Object.freeze([]);
const NO_SPECS: readonly WindowSpec[] = Object.freeze([]);
type ResolvedModes = CheckContext['settings']['rateLimit']['modes'];

/**
 * Step 8: the DPoP proof's `jti` (RFC 9449 §11.1) and every rate-limit window of the matched capability,
 * checked and consumed atomically — all or nothing — in ONE store call. Nothing to consume, no call.
 * A store fault throws `InfrastructureError` (→ 503 `store_unavailable`), unless `onStoreError: 'open'`.
 *
 * Under oversight (step 7 set `ctx.hold`): a request to be held pays its quota first and only then is
 * its hold created (`createHeld`); the approved retry pays no quota again — its held request did — and
 * consumes the hold only after its proof was accepted (`consumeApproved`), so a refused retry never
 * uses up a human's approval.
 */
export const consumeProofQuotaHold: Check = (ctx) => {
  const hold = ctx.hold;
  const parsed = ctx.capability && ctx.route && hold?.kind !== 'retry' ? capabilityWindows(ctx.capability) : undefined;
  if (parsed && !parsed.ok) {
    return deny('constraint_violation', { constraint: parsed.constraint, problem: parsed.problem });
  }
  const refused = consumeWindows(ctx, parsed?.windows ?? NO_WINDOWS);
  if (!hold) return refused;
  const carryOut = (outcome: Deny | undefined) =>
    outcome ?? (hold.kind === 'create' ? createHeld(ctx, hold.subject) : consumeApproved(ctx, hold.id, hold.subject));
  return refused instanceof Promise ? refused.then(carryOut) : carryOut(refused);
};

/** The one store call: replay key and windows, all or nothing. Nothing to consume: no call, no promise. */
function consumeWindows(
  ctx: CheckContext,
  windows: readonly RateLimitWindow[],
): Deny | undefined | Promise<Deny | undefined> {
  const proof = ctx.proofConsumed ? undefined : ctx.proof; // consumed ahead of the route already: never twice
  if (windows.length === 0 && !proof) return undefined;
  const subject = subjectOf(ctx);
  if (subject === undefined) return deny('internal_error', { problem: 'options.rateLimit.key gave no subject' });
  // no result: store down, onStoreError: 'open'
  return andThen(consume(ctx, consumeRequest(ctx, subject, windows, proof)), (result) =>
    result ? outcome(ctx, windows, result) : undefined,
  );
}

/**
 * The subject of the request's keys: the rate-limit key, within the token's issuer scope (a proof comes with a token).
 */
function subjectOf(ctx: CheckContext): string | undefined {
  const claims = ctx.claims;
  return (
    claims && ctx.settings.rateLimit.key(claims, ctx.tokenHash, scopeOf(ctx.runtime.token.keys.scopes, claims.iss))
  );
}

function consumeRequest(
  ctx: CheckContext,
  subject: string,
  windows: readonly RateLimitWindow[],
  proof: CheckContext['proof'],
): ConsumeRequest {
  const action = ctx.rateLimitScope ?? ctx.route?.action ?? '';
  const replay = proof && {
    key: requestKeys(subject).replay(proof.jkt, proof.jti),
    ttlMs: ctx.settings.pop.replayTtlMs,
  };
  return { now: ctx.now, replay, windows: windowSpecs(windows, subject, action, ctx.settings.rateLimit.modes) };
}

/** The last window specs built for a capability's windows: a repeated token reuses them (same subject and action). */
const specsOf = new WeakMap<
  readonly RateLimitWindow[],
  { subject: string; action: string; modes: object; specs: readonly WindowSpec[] }
>();

/** The store's view of the windows: keys under the subject's hash tag, with each window's mode. */
function windowSpecs(
  windows: readonly RateLimitWindow[],
  subject: string,
  action: string,
  modes: ResolvedModes,
): readonly WindowSpec[] {
  if (windows.length === 0) return NO_SPECS;
  const last = specsOf.get(windows);
  if (last && last.subject === subject && last.action === action && last.modes === modes) return last.specs;
  const keys = requestKeys(subject);
  const specs = Object.freeze(
    windows.map((w): WindowSpec =>
      Object.freeze({
        key: keys.window(action, w.name, modes[w.unit]),
        limit: w.limit,
        windowMs: w.windowMs,
        mode: modes[w.unit],
      }),
    ),
  );
  specsOf.set(windows, { subject, action, modes, specs });
  return specs;
}

/**
 * The store's answer: synchronous from the embedded memory store (`CONSUME_NOW`), so a cached token on
 * the default store costs no promise; a promise from any other. A fault, thrown or rejected, goes to `failed`.
 */
function consume(ctx: CheckContext, request: ConsumeRequest): Awaitable<ConsumeResult | undefined> {
  const store = ctx.runtime.store as Store & ConsumesNow;
  const now = store[CONSUME_NOW];
  let result: ConsumeResult | Promise<ConsumeResult>;
  try {
    result =
      now && !storeChannel.hasSubscribers
        ? now(request)
        : traced(storeChannel, { operation: 'consume' }, () => store.consume(request));
  } catch (error) {
    return failed(ctx, error);
  }
  return result instanceof Promise
    ? result.then(
        (settled) => succeeded(ctx, settled),
        (error: unknown) => failed(ctx, error),
      )
    : succeeded(ctx, result);
}

function succeeded(ctx: CheckContext, result: ConsumeResult): ConsumeResult {
  const health = ctx.runtime.storeHealth;
  if (health.store.isDown) health.store.up();
  return result;
}

function failed(ctx: CheckContext, error: unknown): undefined {
  ctx.runtime.storeHealth.store.down(error, 'store.consume() failed (rate limits, DPoP replay)');
  // Never open for a hold: admitting would create or spend one without its quota check.
  if (ctx.settings.failOpen && !ctx.hold) {
    ctx.detail.store = 'unavailable; admitted without rate-limit or replay check (onStoreError: open)';
    ctx.detail.storeFault = error instanceof Error ? error.message : String(error);
    ctx.runtime.storeHealth.failOpen.down(
      error,
      'admitting requests without rate-limit or DPoP replay checks (onStoreError: open)',
    );
    return undefined;
  }
  if (error instanceof InfrastructureError) throw error;
  throw new InfrastructureError('store_unavailable', 'store.consume() failed', { cause: error });
}

function outcome(ctx: CheckContext, windows: readonly RateLimitWindow[], result: ConsumeResult): Deny | undefined {
  if (!result.ok && result.reason === 'replay')
    return deny('dpop_replay', { check: 'dpop', problem: 'proof jti already used' });
  if (!result.ok && result.reason === 'full') {
    const retryAfter = String(Math.max(1, Math.ceil(result.retryAfterMs / 1000)));
    return deny(
      'store_full',
      { check: 'store', budget: result.budget, retryAfterMs: result.retryAfterMs },
      { headers: { 'retry-after': retryAfter } },
    );
  }
  if (windows.length === 0) return undefined;
  const headers = rateLimitHeaders(windows, result.windows);
  if (result.ok) {
    if (ctx.settings.rateLimit.headersOnAllow) Object.assign(ctx.headers, headers);
    return undefined;
  }
  const window = windows[result.window];
  const detail = {
    constraint: window?.constraint,
    limit: window?.limit,
    mode: ctx.settings.rateLimit.modes[window?.unit ?? 'minute'],
    retryAfterMs: result.retryAfterMs,
  };
  headers['retry-after'] = String(Math.max(1, Math.ceil(result.retryAfterMs / 1000)));
  return deny('rate_limited', detail, { headers });
}
