import type { ResolvedOptions } from '../options/resolve.js';
import type { KeySourceStatus } from '../token/key-source.js';

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
  /** Per trusted issuer: where its keys come from, their age, the last fetch error. */
  readonly issuers: readonly IssuerHealth[];
  /** Whether this replica's copy of the revocation list is in sync with the store (false while the store is unreachable). */
  readonly revocation: { readonly synced: boolean };
}

/**
 * Build the health report of a guard, at the guard's clock.
 *
 * @example
 * const report = healthOf(resolved);
 */
export function healthOf(resolved: ResolvedOptions): GuardHealth {
  const now = resolved.now();
  const keys = resolved.token.keys;
  const issuers = keys.issuers.map((issuer) => Object.freeze({ issuer, ...keys.byIssuer.get(issuer)!.status(now) }));
  const synced = resolved.revocation.local.synced;
  const keysReady = issuers.every((entry) => entry.loaded && entry.lastError === undefined);
  return Object.freeze({ ready: keysReady && synced, issuers: Object.freeze(issuers), revocation: Object.freeze({ synced }) });
}
