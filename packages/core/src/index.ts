/**
 * @aap-guard/core — framework-free enforcement of the Agent Authorization Profile (AAP)
 * on a resource server. Adapters (Express, Fastify, Koa) translate requests and call `check()`.
 */
export { createGuard, type Guard } from './create-guard.js';
export { compileRoute, type CompiledRoute } from './route.js';
export { authorizedPrincipal } from './principal.js';
export { WELL_KNOWN, metadataUrl, metadataPaths, type ProtectedResourceMetadata } from './metadata/resource-metadata.js';
export { isActionName } from './claims/action.js';
export { optionsFromEnv, type EnvOptions } from './options/from-env.js';
export { memoryStore, type MemoryStoreOptions } from './stores/memory.js';
export { fallbackStore, type FallbackStoreOptions } from './stores/fallback.js';
export { InfrastructureError } from './util/errors.js';
export { NotReadyError } from './util/not-ready-error.js';
export type { ReadyOptions } from './observe/readiness.js';
export type { GuardHealth, IssuerHealth, NotReadyReason } from './observe/health.js';
export type { KeySourceStatus } from './token/key-source.js';
export { isRateLimitConstraint } from './limits/windows.js';
export type { Store, ConsumeRequest, ConsumeResult, WindowSpec, WindowState } from './stores/store.js';
export { SLIDING_BUCKETS, windowBuckets, type WindowBuckets } from './stores/window-buckets.js';
export type { StoreRuntime, StoreHealthReport } from './stores/runtime.js';
export { REASONS, type ReasonCode, type SpecError } from './deny/reasons.js';
export type { AuditEvent } from './audit/event.js';
// A hash-chained audit log (tamper evidence) and its verification (also: the `aap-guard-audit` command).
export { chainedAuditLog, type ChainedAuditLog, type ChainedAuditLogOptions } from './audit/chained-log.js';
export { verifyAuditLog, verifyAuditFile, type VerifyAuditOptions, type AuditVerification } from './audit/verify-log.js';
export { AUDIT_GENESIS, type ChainHead } from './audit/chain.js';
export type { LogStream } from './audit/log-targets.js';
export { jsonLogger, type Logger, type LogFn, type LogLevel, type JsonLoggerOptions } from './observe/logger.js';
export { CHANNELS, type DecisionMessage, type StoreTraceContext, type JwksTraceContext } from './observe/channels.js';
export type { CheckTraceContext, CheckPhase } from './observe/trace-checks.js';
export type * from './types.js';
export type * from './claims/model.js';
// Oversight holds and revocation.
export { memoryHolds, type MemoryHoldsOptions } from './stores/memory-holds.js';
export { memoryRevocations, type MemoryRevocationsOptions } from './stores/memory-revocations.js';
export type {
  Hold, HoldStatus, HoldStore, HoldUpdate, HoldProblem, HoldVerdict, HoldFilter, HoldBudget, HoldCreation, HoldPreview,
  HoldPreviewOmission, HiddenFields,
} from './stores/holds.js';
export { MAX_ANCESTORS, type Revocation, type RevocationKind, type RevocationEvent, type RevocationStore, type LineageInput } from './stores/revocations.js';
export type { HoldsApi, HoldDecisionInput } from './holds/holds-api.js';
export type { RevocationKey, RevokeOptions } from './revocation/revoke.js';
export { HOLD_HEADER } from './holds/oversight-holds.js';
export { holdTag, newHoldId } from './holds/subject.js';
export { BODY_DIGEST, bodyDigest } from './holds/body-digest.js';
// The authorization server's side: introspection, capabilities by reference, security events (RFC 8417/8935/8936).
// IntrospectionOptions, IssuerIntrospectionOptions, IntrospectionMode, IntrospectionClient, CapabilitiesRefOptions,
// CapabilitiesResolver: in types.ts.
export {
  securityEventReceiver, type SecurityEventReceiver, type SecurityEventOptions, type PushedSet, type EventResponse,
} from './events/receiver.js';
export type { PollOptions, PollReport, SecurityEventPoller } from './events/poller.js';
export type { SetError, SetErrorCode, SetOutcome } from './events/verify-set.js';
export { AAP_REVOCATION_EVENT, CAEP_SESSION_REVOKED, RISC_CREDENTIAL_COMPROMISE, type EventRevocation } from './events/event-types.js';
