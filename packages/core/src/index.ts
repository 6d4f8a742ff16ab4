/**
 * @aap-guard/core — framework-free enforcement of the Agent Authorization Profile (AAP) on a resource
 * server. This entry is for applications: `createGuard()`, the types of its options, requests and
 * decisions, the deny reasons, and the stores an application picks. The other entries, by audience:
 * `@aap-guard/core/node` (adapter authors), `/store` (store authors), `/events` (Security Event Tokens),
 * `/audit` (the hash-chained audit log), `/opentelemetry` (spans and metrics).
 */
// The guard, and what it takes and gives.
export { createGuard, type Guard } from './guard/create-guard.js';
export type { HoldsApi, HoldDecisionInput } from './guard/holds-api.js';
export type { ReadyOptions } from './guard/readiness.js';
export type { GuardHealth, IssuerHealth, NotReadyReason } from './guard/health.js';
export type { KeySourceStatus } from './concerns/token/key-source.js';
export type { CompiledRoute } from './concerns/route/compile-route.js';
export type { ProtectedResourceMetadata } from './concerns/metadata/resource-metadata.js';
export type { RevocationKey, RevokeOptions } from './concerns/revocation/revoke.js';
export type { KeysApi, KeyRef, KeyActionOptions } from './concerns/revocation/distrust.js';
export { authorizedPrincipal } from './guard/authorized-principal.js';
export { optionsFromEnv, type EnvOptions } from './options/from-env.js';
export type {
  GuardOptions,
  AppCredential,
  AuditSink,
  LocalJwks,
  RemoteJwks,
  KeyFunction,
  JwksOption,
  TrustedIssuer,
  TrustProxy,
  DpopOptions,
  AgentPolicy,
  DelegationPolicy,
  RateLimitMode,
  WindowUnit,
  RateLimitKeyContext,
  RateLimitOptions,
  FailedValidationOptions,
  ConstraintOptions,
  OversightOptions,
  HoldPreviewOptions,
  RevocationOptions,
  IntrospectionMode,
  IntrospectionOptions,
  IssuerIntrospectionOptions,
  IntrospectionClient,
  CapabilitiesResolver,
  CapabilitiesRefOptions,
} from './base/types/options.js';
export type {
  RequestInfo,
  RequestOperation,
  RequestBody,
  BodyContentResult,
  BodyDigestResult,
} from './base/types/request.js';
export type {
  RouteSpec,
  DataLevel,
  DpopMode,
  PopRequirement,
  ConstraintHandler,
  ConstraintInput,
} from './base/types/route.js';
export type { Decision, Destination, Principal, AuthorizedPrincipal, ResponseLimits } from './base/types/decision.js';
export type {
  AapClaims,
  AgentClaim,
  TaskClaim,
  Constraints,
  TimeWindow,
  Capability,
  OversightClaim,
  DelegationClaim,
  ContextClaim,
  AuditClaim,
  ActClaim,
  CnfClaim,
} from './base/claims/model.js';
// Denies and faults.
export { REASONS, POLICY_NAMES, type ReasonCode, type SpecError, type PolicyName } from './base/deny/reasons.js';
export type { WouldDeny } from './base/deny/would-deny.js';
export type { DenyBody } from './base/deny/body.js';
export { InfrastructureError } from './base/util/errors.js';
export { NotReadyError } from './base/util/not-ready-error.js';
// Stores an application picks (store authors: `@aap-guard/core/store`).
export type { Store } from './base/stores/store.js';
export { memoryStore, type MemoryStoreOptions } from './base/stores/memory.js';
export { fallbackStore, type FallbackStoreOptions } from './base/stores/fallback.js';
// Oversight holds and revocations, as `guard.holds` and `guard.revoke()` give them.
export type {
  Hold,
  HoldStatus,
  HoldUpdate,
  HoldProblem,
  HoldFilter,
  HoldPreview,
  HoldPreviewOmission,
  HiddenFields,
  HoldOperation,
} from './base/stores/holds.js';
export type { Revocation, RevocationKind, DistrustedKey } from './base/stores/revocations.js';
export { HOLD_HEADER } from './concerns/holds/hold-id.js';
export { BODY_DIGEST, bodyDigest } from './concerns/holds/body-digest.js';
// Audit events, logs and diagnostics channels.
export type { AuditEvent } from './base/audit/event.js';
export type { Logger, LogFn, LogLevel } from './base/log/logger.js';
export {
  CHANNELS,
  type DecisionMessage,
  type StoreTraceContext,
  type JwksTraceContext,
} from './base/observe/channels.js';
export type { CheckTraceContext, CheckPhase } from './base/observe/trace-checks.js';

// Deprecated in 0.2, removed in 0.3: names this entry exported in 0.1 that now live on the entry of
// their audience, or inside the core.
export {
  /** @deprecated Internal from 0.3: declare routes with `guard.route(spec)`. */
  compileRoute,
} from './concerns/route/compile-route.js';
export {
  /**
   * @deprecated Internal from 0.3: the adapters serve the metadata (`serveResourceMetadata` of `@aap-guard/core/node`).
   */
  WELL_KNOWN,
  /**
   * @deprecated Internal from 0.3: the adapters serve the metadata (`serveResourceMetadata` of `@aap-guard/core/node`).
   */
  metadataUrl,
  /**
   * @deprecated Internal from 0.3: the adapters serve the metadata (`serveResourceMetadata` of `@aap-guard/core/node`).
   */
  metadataPaths,
} from './concerns/metadata/resource-metadata.js';
export {
  /** @deprecated Moved to `@aap-guard/core/node` (for adapters). */
  isActionName,
} from './base/claims/action.js';
export {
  /** @deprecated Internal from 0.3. */
  isRateLimitConstraint,
} from './concerns/rate-limits/windows.js';
export {
  /** @deprecated Internal from 0.3: the default logger is used when `logger` is not given. */
  jsonLogger,
  /** @deprecated Internal from 0.3. */
  type JsonLoggerOptions,
} from './base/log/logger.js';
export type {
  /** @deprecated Moved to `@aap-guard/core/store`. */
  ConsumeRequest,
  /** @deprecated Moved to `@aap-guard/core/store`. */
  ConsumeResult,
  /** @deprecated Moved to `@aap-guard/core/store`. */
  WindowSpec,
  /** @deprecated Moved to `@aap-guard/core/store`. */
  WindowState,
} from './base/stores/store.js';
export {
  /** @deprecated Moved to `@aap-guard/core/store`. */
  SLIDING_BUCKETS,
  /** @deprecated Moved to `@aap-guard/core/store`. */
  windowBuckets,
  /** @deprecated Moved to `@aap-guard/core/store`. */
  type WindowBuckets,
} from './base/stores/window-buckets.js';
export type {
  /** @deprecated Moved to `@aap-guard/core/store`. */
  StoreRuntime,
  /** @deprecated Moved to `@aap-guard/core/store`. */
  StoreHealthReport,
} from './base/stores/runtime.js';
export {
  /** @deprecated Moved to `@aap-guard/core/store`. */
  memoryHolds,
  /** @deprecated Moved to `@aap-guard/core/store`. */
  type MemoryHoldsOptions,
} from './base/stores/memory-holds.js';
export {
  /** @deprecated Moved to `@aap-guard/core/store`. */
  memoryRevocations,
  /** @deprecated Moved to `@aap-guard/core/store`. */
  type MemoryRevocationsOptions,
} from './base/stores/memory-revocations.js';
export type {
  /** @deprecated Moved to `@aap-guard/core/store`. */
  HoldStore,
  /** @deprecated Moved to `@aap-guard/core/store`. */
  HoldVerdict,
  /** @deprecated Moved to `@aap-guard/core/store`. */
  HoldBudget,
  /** @deprecated Moved to `@aap-guard/core/store`. */
  HoldCreation,
} from './base/stores/holds.js';
export {
  /** @deprecated Moved to `@aap-guard/core/store`. */
  MAX_ANCESTORS,
  /** @deprecated Moved to `@aap-guard/core/store`. */
  type RevocationEvent,
  /** @deprecated Moved to `@aap-guard/core/store`. */
  type RevocationStore,
  /** @deprecated Moved to `@aap-guard/core/store`. */
  type LineageInput,
} from './base/stores/revocations.js';
export {
  /** @deprecated Moved to `@aap-guard/core/store`. */
  holdTag,
  /** @deprecated Moved to `@aap-guard/core/store`. */
  newHoldId,
} from './concerns/holds/hold-id.js';
export {
  /** @deprecated Moved to `@aap-guard/core/audit`. */
  chainedAuditLog,
  /** @deprecated Moved to `@aap-guard/core/audit`. */
  type ChainedAuditLog,
  /** @deprecated Moved to `@aap-guard/core/audit`. */
  type ChainedAuditLogOptions,
} from './base/audit/chained-log.js';
export {
  /** @deprecated Moved to `@aap-guard/core/audit`. */
  verifyAuditLog,
  /** @deprecated Moved to `@aap-guard/core/audit`. */
  verifyAuditFile,
  /** @deprecated Moved to `@aap-guard/core/audit`. */
  type VerifyAuditOptions,
  /** @deprecated Moved to `@aap-guard/core/audit`. */
  type AuditVerification,
} from './base/audit/verify-log.js';
export {
  /** @deprecated Moved to `@aap-guard/core/audit`. */
  AUDIT_GENESIS,
  /** @deprecated Moved to `@aap-guard/core/audit`. */
  type ChainHead,
} from './base/audit/chain.js';
export type {
  /** @deprecated Moved to `@aap-guard/core/audit`. */
  LogStream,
} from './base/audit/log-targets.js';
export {
  /** @deprecated Moved to `@aap-guard/core/events`. */
  securityEventReceiver,
  /** @deprecated Moved to `@aap-guard/core/events`. */
  type SecurityEventReceiver,
  /** @deprecated Moved to `@aap-guard/core/events`. */
  type SecurityEventOptions,
  /** @deprecated Moved to `@aap-guard/core/events`. */
  type PushedSet,
  /** @deprecated Moved to `@aap-guard/core/events`. */
  type EventResponse,
} from './surfaces/events/receiver.js';
export type {
  /** @deprecated Moved to `@aap-guard/core/events`. */
  PollOptions,
  /** @deprecated Moved to `@aap-guard/core/events`. */
  PollReport,
  /** @deprecated Moved to `@aap-guard/core/events`. */
  SecurityEventPoller,
} from './surfaces/events/poller.js';
export type {
  /** @deprecated Moved to `@aap-guard/core/events`. */
  SetError,
  /** @deprecated Moved to `@aap-guard/core/events`. */
  SetErrorCode,
  /** @deprecated Moved to `@aap-guard/core/events`. */
  SetOutcome,
} from './surfaces/events/verify-set.js';
export {
  /** @deprecated Moved to `@aap-guard/core/events`. */
  AAP_REVOCATION_EVENT,
  /** @deprecated Moved to `@aap-guard/core/events`. */
  CAEP_SESSION_REVOKED,
  /** @deprecated Moved to `@aap-guard/core/events`. */
  RISC_CREDENTIAL_COMPROMISE,
  /** @deprecated Moved to `@aap-guard/core/events`. */
  type EventRevocation,
} from './surfaces/events/event-types.js';
