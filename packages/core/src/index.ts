/**
 * @aap-guard/core — framework-free enforcement of the Agent Authorization Profile (AAP)
 * on a resource server. Adapters (Express, Fastify, Koa) translate requests and call `check()`.
 */
export { createGuard, type Guard } from './guard/create-guard.js';
export { compileRoute, type CompiledRoute } from './concerns/route/compile-route.js';
export { authorizedPrincipal } from './guard/authorized-principal.js';
export { WELL_KNOWN, metadataUrl, metadataPaths, type ProtectedResourceMetadata } from './concerns/metadata/resource-metadata.js';
export { isActionName } from './base/claims/action.js';
export { optionsFromEnv, type EnvOptions } from './options/from-env.js';
export { memoryStore, type MemoryStoreOptions } from './base/stores/memory.js';
export { fallbackStore, type FallbackStoreOptions } from './base/stores/fallback.js';
export { InfrastructureError } from './base/util/errors.js';
export { NotReadyError } from './base/util/not-ready-error.js';
export type { ReadyOptions } from './guard/readiness.js';
export type { GuardHealth, IssuerHealth, NotReadyReason } from './guard/health.js';
export type { KeySourceStatus } from './concerns/token/key-source.js';
export { isRateLimitConstraint } from './concerns/rate-limits/windows.js';
export type { Store, ConsumeRequest, ConsumeResult, WindowSpec, WindowState } from './base/stores/store.js';
export { SLIDING_BUCKETS, windowBuckets, type WindowBuckets } from './base/stores/window-buckets.js';
export type { StoreRuntime, StoreHealthReport } from './base/stores/runtime.js';
export { REASONS, type ReasonCode, type SpecError } from './base/deny/reasons.js';
export type { AuditEvent } from './base/audit/event.js';
// A hash-chained audit log (tamper evidence) and its verification (also: the `aap-guard-audit` command).
export { chainedAuditLog, type ChainedAuditLog, type ChainedAuditLogOptions } from './base/audit/chained-log.js';
export { verifyAuditLog, verifyAuditFile, type VerifyAuditOptions, type AuditVerification } from './base/audit/verify-log.js';
export { AUDIT_GENESIS, type ChainHead } from './base/audit/chain.js';
export type { LogStream } from './base/audit/log-targets.js';
export { jsonLogger, type Logger, type LogFn, type LogLevel, type JsonLoggerOptions } from './base/log/logger.js';
export { CHANNELS, type DecisionMessage, type StoreTraceContext, type JwksTraceContext } from './base/observe/channels.js';
export type { CheckTraceContext, CheckPhase } from './base/observe/trace-checks.js';
export type * from './base/types/request.js';
export type * from './base/types/route.js';
export type * from './base/types/decision.js';
export type * from './base/types/options.js';
export type { DenyBody } from './base/deny/body.js';
export type * from './base/claims/model.js';
// Oversight holds and revocation.
export { memoryHolds, type MemoryHoldsOptions } from './base/stores/memory-holds.js';
export { memoryRevocations, type MemoryRevocationsOptions } from './base/stores/memory-revocations.js';
export type {
  Hold, HoldStatus, HoldStore, HoldUpdate, HoldProblem, HoldVerdict, HoldFilter, HoldBudget, HoldCreation, HoldPreview,
  HoldPreviewOmission, HiddenFields,
} from './base/stores/holds.js';
export { MAX_ANCESTORS, type Revocation, type RevocationKind, type RevocationEvent, type RevocationStore, type LineageInput } from './base/stores/revocations.js';
export type { HoldsApi, HoldDecisionInput } from './guard/holds-api.js';
export type { RevocationKey, RevokeOptions } from './concerns/revocation/revoke.js';
export { HOLD_HEADER } from './concerns/holds/hold-id.js';
export { holdTag, newHoldId } from './concerns/holds/hold-id.js';
export { BODY_DIGEST, bodyDigest } from './concerns/holds/body-digest.js';
// The authorization server's side: introspection, capabilities by reference, security events (RFC 8417/8935/8936).
// IntrospectionOptions, IssuerIntrospectionOptions, IntrospectionMode, IntrospectionClient, CapabilitiesRefOptions,
// CapabilitiesResolver: in base/types/options.ts.
export {
  securityEventReceiver, type SecurityEventReceiver, type SecurityEventOptions, type PushedSet, type EventResponse,
} from './surfaces/events/receiver.js';
export type { PollOptions, PollReport, SecurityEventPoller } from './surfaces/events/poller.js';
export type { SetError, SetErrorCode, SetOutcome } from './surfaces/events/verify-set.js';
export { AAP_REVOCATION_EVENT, CAEP_SESSION_REVOKED, RISC_CREDENTIAL_COMPROMISE, type EventRevocation } from './surfaces/events/event-types.js';
