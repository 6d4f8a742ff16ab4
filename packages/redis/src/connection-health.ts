import type { StoreRuntime } from '@aap-guard/core/store';

/** One connection (or feed) whose state counts toward the store's health. */
export interface HealthPart {
  /** This part failed: the first failure of the store is logged with its cause; repeats are not. */
  down(error: unknown, message: string): void;
  /** This part works again: the store's recovery is logged once every part works. */
  up(message: string): void;
}

type Health = StoreRuntime['health'];

/** Parts reporting to one guard's health, and which of them are down. */
const groups = new WeakMap<Health, Set<{ down: boolean }>>();

/**
 * A part of the health a guard gave its Redis store (`attach()`): the client connection and the revocation
 * subscriber are separate connections that fail and come back at different moments, yet one outage must be
 * ONE error line and one recovery line. So a part reports `down` only when it goes down (not at every
 * reconnect attempt), and the recovery is reported only once every part of that guard is up again — the
 * client ready AND the revocation list resynchronized.
 */
export function healthPart(runtime: StoreRuntime): HealthPart {
  let parts = groups.get(runtime.health);
  if (!parts) groups.set(runtime.health, (parts = new Set()));
  const group = parts;
  const state = { down: false };
  group.add(state);
  return {
    down(error, message) {
      if (state.down) return;
      state.down = true;
      runtime.health.down(error, message);
    },
    up(message) {
      if (!state.down) return;
      state.down = false;
      for (const part of group) if (part.down) return;
      runtime.health.up(message);
    },
  };
}
