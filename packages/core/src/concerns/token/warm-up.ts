import { FIRST_BACKOFF_MS, MAX_BACKOFF_MS } from '../../base/http/backoff.js';
import type { KeySource } from './key-source.js';

/** The background key fetch started by `warmUpKeys()`. */
export interface WarmUp {
  /** Cancel every retry not yet made (a fetch in flight finishes on its own, bounded by its timeout). */
  stop(): void;
}

/**
 * Fetch the keys of every source that has none yet, in the background, so that a readiness route turns
 * ready without waiting for a request: each source is asked to `warm()` on the next turn of the event
 * loop, and after a failure again after 1 s, 2 s, 4 s … 5 min (the draft's JWKS backoff, which the source
 * itself enforces too), until it has its keys. Every timer is `unref()`ed — it never keeps a process
 * alive — and `stop()` cancels them. A failure is never an unhandled rejection and is not logged here:
 * the source logs it once per outage, with its cause.
 */
export function warmUpKeys(sources: readonly KeySource[], now: () => number): WarmUp {
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let stopped = false;
  const later = (run: () => void, ms: number): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!stopped) run();
    }, ms);
    timer.unref();
    timers.add(timer);
  };
  const attempt = (source: KeySource, wait: number): void => {
    Promise.resolve()
      .then(() => source.warm())
      .then(undefined, () => {
        if (!stopped) later(() => attempt(source, Math.min(wait * 2, MAX_BACKOFF_MS)), wait);
      });
  };
  for (const source of sources) if (!source.status(now()).loaded) later(() => attempt(source, FIRST_BACKOFF_MS), 0);
  return Object.freeze({
    stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  });
}
