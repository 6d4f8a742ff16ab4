import type { ConsumeRequest, ConsumeResult, Store } from './store.js';

/** Options of the embedded memory store. */
export interface MemoryStoreOptions {
  /** Most keys kept; idle keys are evicted first (default 100000). */
  readonly maxKeys?: number;
}

/**
 * The embedded default store: exact, single-process. TODO(issue 5): windows, LRU bound.
 *
 * @example
 * createGuard({ ...options, store: memoryStore() });
 */
export function memoryStore(_options: MemoryStoreOptions = {}): Store {
  const seen = new Map<string, number>();
  return {
    async consume(request: ConsumeRequest): Promise<ConsumeResult> {
      if (request.replay) {
        const until = seen.get(request.replay.key);
        if (until !== undefined && until > request.now) return { ok: false, reason: 'replay' };
        seen.set(request.replay.key, request.now + request.replay.ttlMs);
      }
      return { ok: true, windows: [] };
    },
  };
}
