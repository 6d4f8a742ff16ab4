/**
 * @aap-guard/core/audit — a hash-chained audit log (tamper evidence) to give `createGuard({ audit })`, and
 * its verification (also the `aap-guard-audit` command).
 */
export type { AuditEvent } from './base/audit/event.js';
export { chainedAuditLog, type ChainedAuditLog, type ChainedAuditLogOptions } from './base/audit/chained-log.js';
export {
  verifyAuditLog,
  verifyAuditFile,
  type VerifyAuditOptions,
  type AuditVerification,
} from './base/audit/verify-log.js';
export { AUDIT_GENESIS, type ChainHead } from './base/audit/chain.js';
export type { LogStream } from './base/audit/log-targets.js';
