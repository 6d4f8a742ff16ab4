import { auditRevocation } from '../holds/audit-operation.js';
import type { ResolvedOptions } from '../options/resolve.js';
import type { Revocation, RevocationKind } from '../stores/revocations.js';
import { MAX_REVOCATION_MS } from './options.js';

/** What to revoke: any of these keys (each one given becomes one entry). */
export interface RevocationKey {
  /** One token, and every token delegated from it (`delegation.parent_jti`, transitively). */
  readonly jti?: string | undefined;
  /** Every token of this task (`task.id`). */
  readonly taskId?: string | undefined;
  /** Every token of this grant (the `grant_id` claim). */
  readonly grantId?: string | undefined;
  /** Every token of this agent (`agent.id`). */
  readonly agentId?: string | undefined;
  /** Every token delegated from this token (`delegation.parent_jti`, transitively), not the token itself. */
  readonly parentJti?: string | undefined;
}

/** Options of one revocation. */
export interface RevokeOptions {
  /** End of the revocation: a `Date` or ms since the epoch (default: now + `options.revocation.defaultTtl`). */
  readonly until?: Date | number | undefined;
  /** Who revokes (recorded in the audit event). */
  readonly by?: string | undefined;
  readonly reason?: string | undefined;
}

const KEYS: readonly [keyof RevocationKey, RevocationKind][] = [
  ['jti', 'jti'],
  ['taskId', 'task'],
  ['grantId', 'grant'],
  ['agentId', 'agent'],
  ['parentJti', 'parent'],
];

/**
 * `guard.revoke()`: persist and fan out the revocation, apply it to this replica at once, audit it.
 * Throws `TypeError` on a bad key or option; rejects on a store fault (nothing is then applied locally:
 * a revocation the other replicas may not have heard of is reported as failed).
 *
 * @example
 * await guard.revoke({ taskId: 'task-001' }, { by: 'ops@example.com', until: Date.now() + 3_600_000 });
 */
export async function revoke(options: Pick<ResolvedOptions, 'revocation' | 'now' | 'audit'>, key: RevocationKey, given: RevokeOptions = {}): Promise<readonly Revocation[]> {
  const at = options.now();
  const entries = entriesOf(key, at, untilOf(given, at, options.revocation.defaultTtlMs), given);
  for (const entry of entries) {
    await options.revocation.store.add(entry);
    options.revocation.local.apply(entry);
    auditRevocation(options, entry);
  }
  return entries;
}

function entriesOf(key: RevocationKey, at: number, until: number, given: RevokeOptions): Revocation[] {
  if (key === null || typeof key !== 'object') throw new TypeError('revoke(key): key must be an object such as { taskId }');
  const by = optionalText(given.by, 'by');
  const reason = optionalText(given.reason, 'reason');
  const entries: Revocation[] = [];
  for (const [name, kind] of KEYS) {
    const value = key[name];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.length === 0 || value.length > 512) throw new TypeError(`revoke(key): ${name} must be a non-empty string`);
    entries.push(Object.freeze({ kind, value, until, at, by, reason }));
  }
  if (entries.length === 0) throw new TypeError('revoke(key): give one of jti, taskId, grantId, agentId, parentJti');
  return entries;
}

function untilOf(given: RevokeOptions, at: number, defaultTtlMs: number): number {
  const until = given.until instanceof Date ? given.until.getTime() : (given.until ?? at + defaultTtlMs);
  if (typeof until !== 'number' || !Number.isFinite(until) || until <= at || until - at > MAX_REVOCATION_MS) {
    throw new TypeError('revoke(key, { until }): until must be a future time within one year');
  }
  return until;
}

function optionalText(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > 256) throw new TypeError(`revoke(key, { ${name} }) must be a string of at most 256 characters`);
  return value;
}
