import type { HoldStore } from './holds.js';
import type { RevocationStore } from './revocations.js';
import type { StoreRuntime } from './runtime.js';

/**
 * The one small interface every store implements (memory, Redis, fallback wrapper).
 * One result shape for all stores; "limited" is a result, never a rejected promise.
 * A rejected promise means an infrastructure fault (the guard turns it into 503 `store_unavailable`).
 */

/** One rate-limit window to check and consume. */
export interface WindowSpec {
  /** Storage key, already namespaced (it names the issuer scope); all keys of one request share a hash tag. */
  readonly key: string;
  /** Requests admitted per window. */
  readonly limit: number;
  /** Window length in ms (a multiple of 60 for a sliding window). */
  readonly windowMs: number;
  /**
   * `sliding`: never more than `limit` in any interval of `windowMs`, counted in `SLIDING_BUCKETS` clock-aligned
   * buckets of `windowMs / 60` (admits at most one bucket later than an exact log would, never earlier);
   * `fixed`: clock-aligned UTC buckets `floor(now / windowMs)`. Both under the one key, in state bounded
   * independently of the limit — see `windowBuckets()` for the algorithm every store implements.
   */
  readonly mode: 'sliding' | 'fixed';
}

/** What one request consumes, atomically (all or nothing). */
export interface ConsumeRequest {
  /** Request time in ms (the guard's injected clock). */
  readonly now: number;
  /** DPoP proof `jti` to record; rejected if already seen. */
  readonly replay?: { readonly key: string; readonly ttlMs: number } | undefined;
  readonly windows: readonly WindowSpec[];
}

/** State of one window after the request (admitted or not). */
export interface WindowState {
  readonly limit: number;
  readonly remaining: number;
  /**
   * ms until this window regains quota: when its oldest counted bucket leaves (a fixed window's: its end); for
   * the window that refused a request, when it would admit one again.
   */
  readonly resetMs: number;
  readonly windowMs: number;
}

/** The single result shape. */
export type ConsumeResult =
  | { readonly ok: true; readonly windows: readonly WindowState[] }
  | { readonly ok: false; readonly reason: 'replay' }
  | {
      readonly ok: false;
      /** A budget of the store is full of live entries (the memory store never drops one to make room). */
      readonly reason: 'full';
      readonly budget: 'replay' | 'counters';
      /** ms until an entry of that budget expires, at least. */
      readonly retryAfterMs: number;
    }
  | {
      readonly ok: false;
      readonly reason: 'limited';
      /** Index of the window that refused. */
      readonly window: number;
      /** ms until the next request would be admitted by every window. */
      readonly retryAfterMs: number;
      readonly windows: readonly WindowState[];
    };

/**
 * A store for shared request state.
 *
 * @example
 * const guard = createGuard({ ...options, store: memoryStore({ maxKeys: 100_000 }) });
 */
export interface Store {
  /** Check the replay key and every window, and consume all of them — or none. */
  consume(request: ConsumeRequest): Promise<ConsumeResult>;
  /** Human-oversight holds; the guard uses `memoryHolds()` when absent. */
  readonly holds?: HoldStore | undefined;
  /** Revocations and their fan-out; the guard uses `memoryRevocations()` when absent. */
  readonly revocations?: RevocationStore | undefined;
  /**
   * Told once by each guard that uses the store (at `createGuard()`): where to report infrastructure events
   * (connection errors, reconnects, recoveries) — see `StoreRuntime`. Optional.
   */
  attach?(runtime: StoreRuntime): void;
  /** Release resources (timers, connections owned by the store). */
  close?(): Promise<void>;
}

/**
 * For store authors: a store's `consume()` that answers without a promise when it can. The guard calls it when
 * the store has it, so a cached token on the memory store (or a request a Redis batch admits) is decided
 * without a microtask; `consume()` itself stays a promise for everyone else (wrappers, callers of the public
 * interface). A registered symbol (`Symbol.for`), so that the ESM and CommonJS builds of the core agree on it.
 *
 * @example
 * const inner = memoryStore();
 * const wrapped: Store & ConsumesNow = { ...inner, [CONSUME_NOW]: (r: ConsumeRequest) => inner.consume(r) };
 */
export const CONSUME_NOW: unique symbol = Symbol.for('aap-guard.consume-now');

/** A store that can also answer synchronously (see `CONSUME_NOW`). */
export interface ConsumesNow {
  readonly [CONSUME_NOW]?: ((request: ConsumeRequest) => ConsumeResult | Promise<ConsumeResult>) | undefined;
}
