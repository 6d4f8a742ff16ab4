/**
 * @aap-guard/core/node — for authors of adapters (Express, Fastify, Koa, NestJS, MCP, your own): the
 * two-stage flow over `IncomingMessage`/`ServerResponse`, deny responses, the adapter options every
 * adapter takes, metadata and health routes, and the option-checking helpers. Applications import
 * `@aap-guard/core`; adapters import this.
 */
export { nodeFlow, type NodeFlow, type FlowOutcome, type RouteParts } from './surfaces/node/flow.js';
export type { FlowState } from './surfaces/node/flow-state.js';
export type { EnforceLimitsHooks } from './surfaces/node/enforce-limits.js';
export { andThen, type Awaitable } from './base/util/awaitable.js';
export { writeDeny } from './surfaces/node/write-deny.js';
export { watchAssignments, type AssignmentHook, type Watch } from './surfaces/node/watch-assignments.js';
export { denyResponse, AapDenyError, type DenyResponse, type DenyFormatter } from './surfaces/node/deny-response.js';
export {
  resolveAdapterOptions,
  type AdapterOptions,
  type AdapterSettings,
  type ResolvedAdapter,
} from './surfaces/node/adapter-options.js';
export {
  serveResourceMetadata,
  resourceMetadataUrl,
  resourceMetadataPaths,
  metadataReach,
  type MetadataReach,
} from './surfaces/node/resource-metadata.js';
export { healthRouteOptions, writeHealth, type HealthRouteOptions } from './surfaces/node/health-response.js';
export { routeAdmission, type RouteAdmission } from './surfaces/node/route-report.js';
export { checkKeys } from './base/types/known-keys.js';
export { ROUTE_KEYS } from './concerns/route/compile-route.js';
export { isActionName } from './base/claims/action.js';

// Deprecated in 0.2, internal from 0.3: the flow does these for every adapter.
export {
  /** @deprecated Internal from 0.3: `nodeFlow(guard)` builds each request's info. */
  nodeRequestInfo,
} from './surfaces/node/request-info.js';
export {
  /** @deprecated Internal from 0.3: `nodeFlow(guard)` taps the body (`flow.watchBody(req)`). */
  tapBody,
  /** @deprecated Internal from 0.3: `nodeFlow(guard)` taps the body (`flow.watchBody(req)`). */
  requestBody,
  /** @deprecated Internal from 0.3. */
  type BodyTap,
} from './surfaces/node/body.js';
export {
  /** @deprecated Internal from 0.3: `flow.finish()` enforces a decision's response size limit. */
  limitResponseBody,
  /** @deprecated Internal from 0.3. */
  type ResponseBodyExceeded,
} from './surfaces/node/limit-response-body.js';
