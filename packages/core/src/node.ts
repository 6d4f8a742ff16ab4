/**
 * @aap-guard/core/node — what the Node adapters (Express, Fastify, Koa, your own) share: the two-stage
 * flow over `IncomingMessage`/`ServerResponse`, the request info, the body tap, size limits, deny
 * responses. Applications import `@aap-guard/core`; adapters import this.
 */
export { nodeFlow, type NodeFlow, type FlowOutcome, type RouteParts } from './surfaces/node/flow.js';
export type { FlowState } from './surfaces/node/flow-state.js';
export { andThen, type Awaitable } from './base/util/awaitable.js';
export { nodeRequestInfo } from './surfaces/node/request-info.js';
export { tapBody, requestBody, type BodyTap } from './surfaces/node/body.js';
export { enforceLimits, type EnforceLimitsHooks } from './surfaces/node/enforce-limits.js';
export { limitResponseBody, type ResponseBodyExceeded } from './surfaces/node/limit-response-body.js';
export { writeDeny } from './surfaces/node/write-deny.js';
export { watchAssignments, type AssignmentHook, type Watch } from './surfaces/node/watch-assignments.js';
export { denyResponse, AapDenyError, type DenyResponse, type DenyFormatter } from './surfaces/node/deny-response.js';
export { resolveAdapterOptions, type AdapterOptions, type ResolvedAdapter } from './surfaces/node/adapter-options.js';
export { serveResourceMetadata, resourceMetadataUrl } from './surfaces/node/resource-metadata.js';
export { healthRouteOptions, writeHealth, type HealthRouteOptions } from './surfaces/node/health-response.js';
export { checkKeys } from './base/types/known-keys.js';
export { ROUTE_KEYS } from './concerns/route/compile-route.js';
