import type { AuditEvent } from './event.js';
import { emitAudit, type AuditTarget } from './safe-sink.js';
import type { Hold } from '../stores/holds.js';
import type { DistrustedKey, Revocation } from '../stores/revocations.js';

type Operation = 'created' | 'approved' | 'denied' | 'consumed';

/**
 * Emit the audit event of a hold operation (who, what, when) through `options.audit`. A failing sink
 * never changes the outcome.
 */
export function auditHold(options: AuditTarget, operation: Operation, hold: Hold, actor: string, now: number): void {
  emitAudit(options, {
    kind: 'hold',
    operation,
    actor,
    time: new Date(now).toISOString(),
    decision: operation === 'approved' || operation === 'consumed' ? 'allow' : 'deny',
    status: 200,
    action: hold.action,
    iss: hold.issuer,
    agent: { id: hold.agent.id, operator: hold.agent.operator },
    task: { id: hold.task.id },
    jti: hold.jti,
    method: hold.method,
    path: hold.path,
    latencyMs: 0,
    detail: hold.note === undefined ? undefined : { note: hold.note },
    hold: holdSummary(hold),
  });
}

/**
 * Emit the audit event of a revocation: `iss` is the issuer whose tokens it names, and `detail.issuerScope`
 * says whether that issuer was named or the revocation covers every trusted issuer.
 */
export function auditRevocation(options: AuditTarget, entry: Revocation, issuerScope?: string): void {
  emitAudit(options, {
    kind: 'revocation',
    operation: 'revoked',
    actor: entry.by,
    time: new Date(entry.at).toISOString(),
    decision: 'deny',
    status: 200,
    iss: entry.issuer,
    method: '',
    path: '',
    latencyMs: 0,
    detail: {
      ...(entry.reason === undefined ? {} : { reason: entry.reason }),
      ...(issuerScope === undefined ? {} : { issuerScope }),
    },
    revocation: { kind: entry.kind, value: entry.value, until: new Date(entry.until).toISOString() },
  });
}

/**
 * Emit the audit event of a signing key distrusted or trusted again by the operator (`guard.keys`): `iss`
 * is the key's issuer, `key.kid` the key, `actor` who did it.
 */
export function auditKey(
  options: AuditTarget,
  operation: 'distrusted' | 'trusted',
  key: Pick<DistrustedKey, 'issuer' | 'kid' | 'by' | 'reason'>,
  at: number,
): void {
  emitAudit(options, {
    kind: 'key',
    operation,
    actor: key.by,
    time: new Date(at).toISOString(),
    decision: operation === 'distrusted' ? 'deny' : 'allow',
    status: 200,
    iss: key.issuer,
    method: '',
    path: '',
    latencyMs: 0,
    detail: key.reason === undefined ? undefined : { reason: key.reason },
    key: { kid: key.kid },
  });
}

/** The hold fields an audit event carries. */
export function holdSummary(hold: Hold): NonNullable<AuditEvent['hold']> {
  return { id: hold.id, status: hold.status, expiresAt: new Date(hold.expiresAt).toISOString() };
}
