import type { RevocationStore } from './revocations.js';
import type { ConsumeRequest, ConsumeResult, Store } from './store.js';

/** Options of `fallbackStore()`. */
export interface FallbackStoreOptions {
  /** After a primary failure, use the fallback this long (ms) before trying the primary again (default 5000). */
  readonly retryAfterMs?: number;
  /** Told when the primary fails (`down`) and when it answers again (`up`). Errors thrown by it are ignored. */
  readonly onSwitch?: (state: 'down' | 'up', error?: unknown) => void;
  /** Real-time clock of the circuit (default `Date.now`), independent of the requests' injected `now`. */
  readonly clock?: () => number;
}

/**
 * Wrap a primary store (Redis) with a fallback (usually `memoryStore()`), as an explicit choice: while the
 * primary fails, requests are counted by the fallback — per replica, so limits are no longer shared — and
 * the primary is tried again every `retryAfterMs`; it takes over again as soon as it answers.
 * Only infrastructure faults switch stores: a `limited` or `replay` result is an answer, not a fault.
 *
 * Holds are the primary's (or the guard's memory default). Revocations are the primary's too, with one
 * difference that keeps the fallback useful: while the primary cannot vouch for the set, this replica keeps
 * trusting the copy it already has (the guard would otherwise deny every request with 503); revocations
 * made elsewhere meanwhile arrive when the primary is back and the full set is read again. A replica that
 * never had the set (the primary down at start) still fails closed.
 *
 * @example
 * import { createGuard, memoryStore, fallbackStore } from '@aap-guard/core';
 * import { redisStore } from '@aap-guard/redis';
 * createGuard({ ...options, store: fallbackStore(redisStore(redis), memoryStore()) });
 */
export function fallbackStore(primary: Store, fallback: Store, options: FallbackStoreOptions = {}): Store {
  const retryAfterMs = options.retryAfterMs ?? 5000;
  if (!Number.isFinite(retryAfterMs) || retryAfterMs < 0)
    throw new TypeError('fallbackStore({ retryAfterMs }) must be a non-negative number');
  const clock = options.clock ?? Date.now;
  const notify = (state: 'down' | 'up', error?: unknown): void => {
    try {
      options.onSwitch?.(state, error);
    } catch {
      // a notification failure must not change the outcome
    }
  };
  let downUntil: number | undefined;

  return {
    holds: primary.holds,
    revocations: primary.revocations && keepLocalCopy(primary.revocations, fallback.revocations),
    attach(runtime) {
      primary.attach?.(runtime);
      fallback.attach?.(runtime);
    },
    async consume(request: ConsumeRequest): Promise<ConsumeResult> {
      if (downUntil !== undefined && clock() < downUntil) return fallback.consume(request);
      try {
        const result = await primary.consume(request);
        if (downUntil !== undefined) {
          downUntil = undefined;
          notify('up');
        }
        return result;
      } catch (error) {
        if (downUntil === undefined) notify('down', error);
        downUntil = clock() + retryAfterMs;
        return fallback.consume(request);
      }
    },
    async close() {
      await Promise.allSettled([primary.close?.(), fallback.close?.()]);
    },
  };
}

/**
 * The primary's revocations without `unsynced` events: the guard's local copy stays trusted while it is
 * down. Lineage and token records come from the primary, or from the fallback's while the primary fails
 * (what is recorded meanwhile is this replica's only). Distrusted keys are the primary's alone.
 */
function keepLocalCopy(revocations: RevocationStore, fallback: RevocationStore | undefined): RevocationStore {
  const primaryLineage = revocations.lineage?.bind(revocations);
  const fallbackLineage = fallback?.lineage?.bind(fallback);
  const primaryRecord = revocations.record?.bind(revocations);
  const fallbackRecord = fallback?.record?.bind(fallback);
  return {
    add: (entry) => revocations.add(entry),
    snapshot: (now) => revocations.snapshot(now),
    subscribe: (listener) =>
      revocations.subscribe((event) => {
        if (event.type !== 'unsynced') listener(event);
      }),
    lineage:
      primaryLineage &&
      (async (token) =>
        primaryLineage(token).catch((error: unknown) =>
          fallbackLineage ? fallbackLineage(token) : Promise.reject(error),
        )),
    record:
      primaryRecord &&
      (async (token) =>
        primaryRecord(token).catch((error: unknown) =>
          fallbackRecord ? fallbackRecord(token) : Promise.reject(error),
        )),
    // Distrusting a key is an operator's act: it must reach every replica, so it is the primary's or fails.
    distrustKey: revocations.distrustKey && ((key) => revocations.distrustKey!(key)),
    trustKey: revocations.trustKey && ((issuer, kid) => revocations.trustKey!(issuer, kid)),
    distrustedKeys: revocations.distrustedKeys && (() => revocations.distrustedKeys!()),
    attach: revocations.attach && ((runtime) => revocations.attach?.(runtime)),
    close: async () => revocations.close?.(),
  };
}
