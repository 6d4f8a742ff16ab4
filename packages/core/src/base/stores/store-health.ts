import { Health, type Logger } from '../log/logger.js';

/** The guard's view of its store's health, logged once per state change. */
export interface StoreHealth {
  /** Store faults and recoveries: the store's own reports (connections, resync) and the guard's failed calls. */
  readonly store: Health;
  /** Requests admitted without a store check (`onStoreError: 'open'`): logged once per outage. */
  readonly failOpen: Health;
}

/**
 * Build the guard's store health once, at `createGuard()`: one `Health` for the store (shared with the
 * store through `attach()`, so that one outage is one line whoever notices it first) and one for the
 * fail-open admissions an outage causes when `onStoreError: 'open'`.
 */
export function storeHealth(logger: Logger): StoreHealth {
  return Object.freeze({ store: new Health(logger, 'store'), failOpen: new Health(logger, 'store.fail-open') });
}
