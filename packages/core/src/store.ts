/**
 * @aap-guard/core/store — for authors of stores (such as `@aap-guard/redis`): the `Store`, `HoldStore` and
 * `RevocationStore` contracts, the memory implementations, the window buckets every store must count in,
 * and the runtime a store is attached to. An application only picks a store (`memoryStore()`,
 * `fallbackStore()` and `Store` are on the root entry too).
 */
export type {
  Store,
  ConsumeRequest,
  ConsumeResult,
  ConsumesNow,
  WindowSpec,
  WindowState,
} from './base/stores/store.js';
export { CONSUME_NOW } from './base/stores/store.js';
export { SLIDING_BUCKETS, windowBuckets, type WindowBuckets } from './base/stores/window-buckets.js';
export type { StoreRuntime, StoreHealthReport } from './base/stores/runtime.js';
export { memoryStore, type MemoryStoreOptions } from './base/stores/memory.js';
export { fallbackStore, type FallbackStoreOptions } from './base/stores/fallback.js';
export type {
  HoldStore,
  Hold,
  HoldStatus,
  HoldUpdate,
  HoldProblem,
  HoldVerdict,
  HoldFilter,
  HoldBudget,
  HoldCreation,
  HoldPreview,
  HoldOperation,
  HoldPreviewOmission,
  HiddenFields,
} from './base/stores/holds.js';
export { memoryHolds, type MemoryHoldsOptions } from './base/stores/memory-holds.js';
export { holdTag, newHoldId } from './concerns/holds/hold-id.js';
export {
  MAX_ANCESTORS,
  type RevocationStore,
  type Revocation,
  type RevocationKind,
  type RevocationEvent,
  type LineageInput,
  type DistrustedKey,
  type TokenRecordInput,
  type TokenRecord,
} from './base/stores/revocations.js';
export { memoryRevocations, type MemoryRevocationsOptions } from './base/stores/memory-revocations.js';
export { InfrastructureError } from './base/util/errors.js';
