import { auditRevocation } from '../../base/audit/operation-events.js';
import type { AuditTarget } from '../../base/audit/safe-sink.js';
import type { TokenSettings } from '../token/options.js';
import type { Revocation, RevocationKind } from '../../base/stores/revocations.js';
import { MAX_REVOCATION_MS, type RevocationRuntime, type RevocationSettings } from './options.js';

/** What to revoke: any of these keys (each one given becomes one entry per issuer in scope). */
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
  /** Every token issued for this user (`sub`): a user withdrawing all their agents' authorizations. */
  readonly sub?: string | undefined;
  /** Every token of the agents run by this operator (`agent.operator`). */
  readonly operator?: string | undefined;
  /**
   * Whose tokens: a trusted issuer, or several (default: every trusted issuer, recorded in each audit
   * event). Ids are only unique per issuer (RFC 7519 §4.1.7 for `jti`; task, grant, agent and user ids are
   * the issuer's too): with several issuers, name the one whose token, task or user you mean.
   */
  readonly issuer?: string | readonly string[] | undefined;
}

/** Options of one revocation. */
export interface RevokeOptions {
  /** End of the revocation: a `Date` or ms since the epoch (default: now + `options.revocation.defaultTtl`). */
  readonly until?: Date | number | undefined;
  /** Who revokes (recorded in the audit event). */
  readonly by?: string | undefined;
  readonly reason?: string | undefined;
}

const KEYS: readonly [Exclude<keyof RevocationKey, 'issuer'>, RevocationKind][] = [
  ['jti', 'jti'],
  ['taskId', 'task'],
  ['grantId', 'grant'],
  ['agentId', 'agent'],
  ['parentJti', 'parent'],
  ['sub', 'sub'],
  ['operator', 'operator'],
];

/** What revoking reads of the guard's settings and runtime. */
interface RevokeContext {
  readonly settings: { readonly revocation: RevocationSettings; readonly token: Pick<TokenSettings, 'issuers'> };
  readonly runtime: AuditTarget & { readonly revocation: RevocationRuntime; readonly now: () => number };
}

/**
 * `guard.revoke()`: persist and fan out the revocation, apply it to this replica at once, audit it.
 * Throws `TypeError` on a bad key or option; rejects on a store fault (nothing is then applied locally:
 * a revocation the other replicas may not have heard of is reported as failed).
 */
export async function revoke(
  { settings, runtime }: RevokeContext,
  key: RevocationKey,
  given: RevokeOptions = {},
): Promise<readonly Revocation[]> {
  const at = runtime.now();
  const { issuers, scope } = issuersOf(key, settings.token.issuers);
  const entries = entriesOf(key, issuers, at, untilOf(given, at, settings.revocation.defaultTtlMs), given);
  for (const entry of entries) {
    await runtime.revocation.store.add(entry);
    runtime.revocation.local.apply(entry);
    auditRevocation(runtime, entry, scope);
  }
  return entries;
}

function entriesOf(
  key: RevocationKey,
  issuers: readonly string[],
  at: number,
  until: number,
  given: RevokeOptions,
): Revocation[] {
  const by = optionalText(given.by, 'revoke(key, { by })');
  const reason = optionalText(given.reason, 'revoke(key, { reason })');
  const entries: Revocation[] = [];
  for (const [name, kind] of KEYS) {
    const value = key[name];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.length === 0 || value.length > 512)
      throw new TypeError(`revoke(key): ${name} must be a non-empty string`);
    for (const issuer of issuers) entries.push(Object.freeze({ kind, value, issuer, until, at, by, reason }));
  }
  if (entries.length === 0)
    throw new TypeError('revoke(key): give one of jti, taskId, grantId, agentId, parentJti, sub, operator');
  return entries;
}

/** The issuers in scope: those named (each must be trusted), else every trusted issuer. */
function issuersOf(
  key: RevocationKey,
  trusted: ReadonlySet<string>,
): { issuers: readonly string[]; scope: 'given' | 'every trusted issuer' } {
  if (key === null || typeof key !== 'object')
    throw new TypeError('revoke(key): key must be an object such as { taskId }');
  if (key.issuer === undefined) return { issuers: [...trusted], scope: 'every trusted issuer' };
  const named = typeof key.issuer === 'string' ? [key.issuer] : key.issuer;
  if (
    !Array.isArray(named) ||
    named.length === 0 ||
    named.some((issuer) => typeof issuer !== 'string' || !trusted.has(issuer))
  ) {
    throw new TypeError('revoke(key): issuer must be a trusted issuer (options.issuer) or a non-empty list of them');
  }
  return { issuers: [...new Set(named as string[])], scope: 'given' };
}

function untilOf(given: RevokeOptions, at: number, defaultTtlMs: number): number {
  const until = given.until instanceof Date ? given.until.getTime() : (given.until ?? at + defaultTtlMs);
  if (typeof until !== 'number' || !Number.isFinite(until) || until <= at || until - at > MAX_REVOCATION_MS) {
    throw new TypeError('revoke(key, { until }): until must be a future time within one year');
  }
  return until;
}

/** An operator's note (`by`, `reason`): absent, or a string of at most 256 characters; `what` names it in the error. */
export function optionalText(value: unknown, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > 256)
    throw new TypeError(`${what} must be a string of at most 256 characters`);
  return value;
}
