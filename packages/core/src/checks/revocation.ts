import { deny, type Check } from './context.js';

/**
 * Step 4: revocation, against this replica's local copy of the set (Map lookups, no store round trip):
 * the token's `jti`, `task.id`, `agent.id`, `grant_id`, and its ancestors through `delegation.parent_jti`.
 * Until the local copy is in sync with the store (startup, after a reconnect) the guard cannot vouch
 * for it and fails closed with 503 `store_unavailable` — unless `onStoreError: 'open'`, which trusts
 * the local copy meanwhile (recorded in the audit detail).
 *
 * @example
 * // in pipeline.ts, last of AUTHENTICATE:
 * export const AUTHENTICATE = [extractCredentials, verifyToken, proofOfPossession, revocation];
 */
export const revocation: Check = (ctx) => {
  const claims = ctx.claims;
  if (!claims) return undefined;
  const local = ctx.options.revocation.local;
  // The authorization server just vouched for the token (introspection `fallback`/`always`): that answer stands in.
  if (!local.synced && !ctx.introspected) {
    if (!ctx.options.failOpen) {
      return deny('store_unavailable', { check: 'revocation', problem: 'revocation set not synchronized' }, { headers: { 'retry-after': '1' } });
    }
    ctx.detail.revocation = 'not synchronized; local copy trusted (onStoreError: open)';
  }
  const hit = local.match(claims, ctx.now);
  if (!hit) return undefined;
  return deny('token_revoked', { check: 'revocation', kind: hit.kind, value: hit.value, revokedBy: hit.by, revokedAt: new Date(hit.at).toISOString() });
};
