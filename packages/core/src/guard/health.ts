import type { GuardRuntime } from '../options/resolve.js';
import type { KeySourceStatus } from '../concerns/token/key-source.js';

/** One trusted issuer's keys, as `guard.health()` reports them. */
export interface IssuerHealth extends KeySourceStatus {
  readonly issuer: string;
}

/**
 * A framework-free health report for readiness probes: computed from what the guard already knows,
 * never fetching anything.
 *
 * @example
 * const health = guard.health();
 * res.writeHead(health.ready ? 200 : 503).end(JSON.stringify(health));
 */
export interface GuardHealth {
  /** Every issuer's keys loaded with no failed fetch since, and the revocation list in sync. */
  readonly ready: boolean;
  /** Why not ready, as a stable code (the one a public readiness route says); undefined when ready. */
  readonly reason: NotReadyReason | undefined;
  /** Per trusted issuer: where its keys come from, their age, the last fetch error. */
  readonly issuers: readonly IssuerHealth[];
  /**
   * Whether this replica's copy of the revocation list is in sync with the store (false while the store is
   * unreachable).
   */
  readonly revocation: { readonly synced: boolean };
}

/**
 * Why a guard is not ready, most pressing first — stable codes, safe to say in public (they name no URL,
 * address or error):
 * - `keys_unavailable`: the last fetch of an issuer's JWKS or metadata failed;
 * - `store_unavailable`: the revocation list is out of sync and the store is failing;
 * - `keys_pending`: an issuer's keys have not been fetched yet (none failed);
 * - `revocation_sync_pending`: the revocation list has not been read from the store yet.
 */
export type NotReadyReason = 'keys_unavailable' | 'store_unavailable' | 'keys_pending' | 'revocation_sync_pending';

/**
 * Build the health report of a guard, at the guard's clock.
 */
export function healthOf(runtime: GuardRuntime): GuardHealth {
  const now = runtime.now();
  const keys = runtime.token.keys;
  const issuers = keys.issuers.map((issuer) => Object.freeze({ issuer, ...keys.byIssuer.get(issuer)!.status(now) }));
  const local = runtime.revocation.local;
  const synced = local.synced;
  const failed = issuers.some((entry) => entry.lastError !== undefined);
  const pending = issuers.some((entry) => !entry.loaded);
  const storeFailing = !synced && (runtime.storeHealth.store.isDown || local.cause !== undefined);
  const reason: NotReadyReason | undefined = failed
    ? 'keys_unavailable'
    : storeFailing
      ? 'store_unavailable'
      : pending
        ? 'keys_pending'
        : synced
          ? undefined
          : 'revocation_sync_pending';
  const revocation = Object.freeze({ synced });
  return Object.freeze({ ready: reason === undefined, reason, issuers: Object.freeze(issuers), revocation });
}
