import type { Logger } from '../log/logger.js';

/**
 * What a guard gives a store once, at `createGuard()` (through the store's optional `attach()`): where to
 * report infrastructure events. A store reports a fault with `health.down(error, message)` and its end
 * with `health.up(message)`; the guard logs each once per state change (the first failure as `error`
 * with its cause, the recovery as `info`), never once per request. The guard's own store calls report
 * through the same health, so one outage is one line, whoever notices it first.
 *
 * @example
 * const store: Store = {
 *   consume: async () => ({ ok: true, windows: [] }), // …
 *   attach({ health }) { client.on('error', (error: Error) => health.down(error, 'my store is unreachable')); },
 * };
 */
export interface StoreRuntime {
  /** The guard's logger (pino-compatible). */
  readonly logger: Logger;
  /** The guard's store health. */
  readonly health: StoreHealthReport;
}

/** Report the state of a store: a fault with its cause, or that it answers again. */
export interface StoreHealthReport {
  down(error: unknown, message: string): void;
  up(message?: string): void;
}
