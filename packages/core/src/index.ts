/**
 * @aap-guard/core — framework-free enforcement of the Agent Authorization Profile (AAP)
 * on a resource server. Adapters (Express, Fastify, Koa) translate requests and call `check()`.
 */
export { createGuard, type Guard } from './create-guard.js';
export { compileRoute, type CompiledRoute } from './route.js';
export { isActionName } from './claims/action.js';
export { optionsFromEnv } from './options/from-env.js';
export { memoryStore, type MemoryStoreOptions } from './stores/memory.js';
export { fallbackStore, type FallbackStoreOptions } from './stores/fallback.js';
export { InfrastructureError } from './util/errors.js';
export { isRateLimitConstraint } from './limits/windows.js';
export type { Store, ConsumeRequest, ConsumeResult, WindowSpec, WindowState } from './stores/store.js';
export type { StoreRuntime, StoreHealthReport } from './stores/runtime.js';
export { REASONS, type ReasonCode, type SpecError } from './deny/reasons.js';
export type { AuditEvent } from './audit/event.js';
export { jsonLogger, type Logger, type LogFn, type LogLevel, type JsonLoggerOptions } from './observe/logger.js';
export { CHANNELS } from './observe/channels.js';
export type * from './types.js';
export type * from './claims/model.js';
// Node HTTP helpers shared by the adapters (framework-free, over node:http request/response).
export { nodeRequestInfo } from './http/request-info.js';
export { routeRequestInfo, type RouteRequestParts } from './http/route-request-info.js';
export { writeDeny } from './http/write-deny.js';
export { adapterDecision } from './http/adapter-decision.js';
export { enforceLimits, type EnforceLimitsHooks } from './http/enforce-limits.js';
export { limitRequestBody, type RequestBodyExceeded } from './http/limit-request-body.js';
export { trackRequestBody, type BodyTracker } from './http/track-request-body.js';
export { limitResponseBody, type ResponseBodyExceeded } from './http/limit-response-body.js';
// Oversight holds and revocation.
export { memoryHolds, type MemoryHoldsOptions } from './stores/memory-holds.js';
export { memoryRevocations, type MemoryRevocationsOptions } from './stores/memory-revocations.js';
export type { Hold, HoldStatus, HoldStore, HoldUpdate, HoldProblem, HoldVerdict, HoldFilter } from './stores/holds.js';
export { MAX_ANCESTORS, type Revocation, type RevocationKind, type RevocationEvent, type RevocationStore, type LineageInput } from './stores/revocations.js';
export type { HoldsApi, HoldDecisionInput } from './holds/holds-api.js';
export type { RevocationKey, RevokeOptions } from './revocation/revoke.js';
export { HOLD_HEADER } from './holds/hold-step.js';
export { BODY_DIGEST, bodyDigest } from './holds/body-digest.js';
export { adminApi, type AdminOptions, type AdminRequest, type AdminResponse } from './holds/admin-api.js';
