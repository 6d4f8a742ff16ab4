/**
 * @aap-guard/core/node — what the Node adapters (Express, Fastify, Koa, your own) share: the two-stage
 * flow over `IncomingMessage`/`ServerResponse`, the request info, the body tap, size limits, deny
 * responses. Applications import `@aap-guard/core`; adapters import this.
 */
export { nodeFlow, type NodeFlow, type FlowOutcome, type RouteParts } from './flow.js';
export type { FlowState } from './flow-state.js';
export { andThen, type Awaitable } from '../util/awaitable.js';
export { nodeRequestInfo } from './request-info.js';
export { tapBody, requestBody, type BodyTap } from './body.js';
export { enforceLimits, type EnforceLimitsHooks } from './enforce-limits.js';
export { limitResponseBody, type ResponseBodyExceeded } from './limit-response-body.js';
export { writeDeny } from './write-deny.js';
export { watchAssignments, type AssignmentHook, type Watch } from './watch-assignments.js';
export { denyResponse, AapDenyError, type DenyResponse, type DenyFormatter } from './deny-response.js';
export { resolveAdapterOptions, type AdapterOptions, type ResolvedAdapter } from './adapter-options.js';
export { serveResourceMetadata, resourceMetadataUrl } from './resource-metadata.js';
export { healthRouteOptions, writeHealth, type HealthRouteOptions } from './health-response.js';
export { checkKeys } from '../options/known-keys.js';
export { ROUTE_KEYS } from '../route.js';
