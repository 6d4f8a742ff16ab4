import type { Revocation } from '../base/stores/revocations.js';
import type { TokenLineage } from '../concerns/revocation/ancestors.js';
import { InfrastructureError } from '../base/util/errors.js';
import { deny, type Deny } from '../base/deny/deny.js';
import type { Check, CheckContext } from './context.js';

/**
 * Step 4: revocation, against this replica's local copy of the set (Map lookups, no store round trip):
 * the key that signed the token (distrusted keys, `guard.keys`), the token's `jti`, `task.id`, `agent.id`,
 * `grant_id`, `sub` and `agent.operator` (each scoped by its issuer), and its ancestors through
 * `delegation.parent_jti`. A token seen for the first time costs one store call — its record: its
 * capabilities (for the breadth check of its children) and, delegated, its lineage, recorded for every
 * replica and cached with the token here (`ctx.lineage`, read by the delegation step).
 * Until the local copy is in sync with the store (startup, after a reconnect) the guard cannot vouch
 * for it and fails closed with 503 `store_unavailable` — unless `onStoreError: 'open'`, which trusts
 * the local copy meanwhile (recorded in the audit detail, logged once per outage).
 */
export const revocation: Check = (ctx) => {
  const claims = ctx.claims;
  if (!claims) return undefined;
  const { local } = ctx.runtime.revocation;
  const health = ctx.runtime.storeHealth;
  // The authorization server just vouched for the token (introspection `fallback`/`always`): that answer stands in.
  if (!local.synced && !ctx.introspected) {
    if (!ctx.settings.failOpen) {
      return deny(
        'store_unavailable',
        { problem: 'revocation set not synchronized', cause: local.cause },
        { headers: { 'retry-after': '1' } },
      );
    }
    ctx.detail.revocation = 'not synchronized; local copy trusted (onStoreError: open)';
    health.failOpen.down(
      new Error(local.cause ?? 'revocation list not synchronized'),
      'admitting requests on a revocation list that may be stale (onStoreError: open)',
    );
  } else if (health.failOpen.isDown && !health.store.isDown) {
    health.failOpen.up('the store answers again: requests are checked in full again');
  }
  // A JWS verified here (not an opaque token the authorization server vouched for): was its key distrusted?
  if (ctx.signedBy !== undefined) {
    const key = local.distrusted(claims.iss, ctx.signedBy ?? undefined);
    if (key)
      return deny('key_distrusted', {
        issuer: key.issuer,
        kid: key.kid,
        tokenKid: ctx.signedBy,
        distrustedBy: key.by,
        distrustedAt: new Date(key.at).toISOString(),
      });
  }
  const direct = local.matchOwn(claims, ctx.now);
  if (direct) return revoked(direct);
  const lineage = local.lineageOf(claims, ctx.tokenHash, ctx.now);
  return lineage instanceof Promise
    ? lineage.then(
        (found) => lineageFound(ctx, found),
        (error: unknown) => lineageFailed(ctx, error),
      )
    : ancestry(ctx, lineage);
};

function lineageFound(ctx: CheckContext, lineage: TokenLineage): Deny | undefined {
  if (ctx.runtime.storeHealth.store.isDown) ctx.runtime.storeHealth.store.up();
  return ancestry(ctx, lineage);
}

/** The token's lineage is known (or lineage is off): check its ancestors, keep it for the delegation step. */
function ancestry(ctx: CheckContext, lineage: TokenLineage | undefined): Deny | undefined {
  ctx.lineage = lineage;
  const claims = ctx.claims;
  const parent = claims?.delegation?.parent_jti;
  if (!claims || parent === undefined) return undefined;
  const chain = lineage === undefined || lineage.chain.length === 0 ? [parent] : lineage.chain;
  return revoked(ctx.runtime.revocation.local.matchAncestors(claims.iss, chain, ctx.now));
}

function revoked(hit: Revocation | undefined): Deny | undefined {
  if (!hit) return undefined;
  const detail = {
    kind: hit.kind,
    value: hit.value,
    issuer: hit.issuer,
    revokedBy: hit.by,
    revokedAt: new Date(hit.at).toISOString(),
  };
  return deny('token_revoked', detail);
}

/** The lineage lookup failed: the ancestors are unknown, so the token cannot be cleared — unless fail-open. */
function lineageFailed(ctx: CheckContext, error: unknown): Deny | undefined {
  const full = error instanceof InfrastructureError && error.reason === 'store_full';
  if (!full)
    ctx.runtime.storeHealth.store.down(
      error,
      'store lineage lookup failed: tokens seen for the first time are refused',
    );
  if (ctx.settings.failOpen && !full) {
    ctx.detail.revocation = 'lineage unavailable; only parent_jti checked (onStoreError: open)';
    ctx.runtime.storeHealth.failOpen.down(error, 'admitting tokens without their lineage (onStoreError: open)');
    return ancestry(ctx, undefined);
  }
  const fault = error instanceof Error ? error.message : String(error);
  return deny(
    full ? 'store_full' : 'store_unavailable',
    { problem: 'lineage lookup failed', fault },
    { headers: { 'retry-after': '5' } },
  );
}
