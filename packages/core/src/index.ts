/**
 * @aap-guard/core — framework-free enforcement of the Agent Authorization Profile (AAP)
 * on a resource server. Adapters (Express, Fastify, Koa) translate requests and call `check()`.
 */
export { createGuard, type Guard } from './create-guard.js';
export { compileRoute, type CompiledRoute } from './route.js';
export { isActionName } from './claims/action.js';
export { optionsFromEnv } from './options/from-env.js';
export { memoryStore, type MemoryStoreOptions } from './stores/memory.js';
export type { Store, ConsumeRequest, ConsumeResult, WindowSpec, WindowState } from './stores/store.js';
export { REASONS, type ReasonCode, type SpecError } from './deny/reasons.js';
export type { AuditEvent } from './audit/event.js';
export type * from './types.js';
export type * from './claims/model.js';
