/** Callers of `whenSynced()` waiting for the local revocation copy to be in sync. */
export interface SyncWaiters {
  /** Wait for `wake()`; with `timeoutMs`, reject after it with an error naming `cause()`. */
  wait(timeoutMs: number | undefined, cause: () => string | undefined): Promise<void>;
  /** The copy is in sync: resolve every waiter. */
  wake(): void;
  /** The guard closed: reject every waiter, and every later `wait()`. */
  close(): void;
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  timer?: ReturnType<typeof setTimeout>;
}

/**
 * The waiters of `guard.revocations.whenSynced()`: a bounded wait (`timeoutMs`) rejects with an error that
 * says why the list is not in sync (the store's last word, e.g. `connect ECONNREFUSED 127.0.0.1:6379`),
 * and closing the guard rejects every wait, so that nothing hangs forever.
 *
 * @example
 * const waiters = syncWaiters();
 * await waiters.wait(2_000, () => 'connect ECONNREFUSED');
 */
export function syncWaiters(): SyncWaiters {
  const waiting = new Set<Waiter>();
  let closed = false;
  const settle = (waiter: Waiter): void => {
    clearTimeout(waiter.timer);
    waiting.delete(waiter);
  };
  return {
    wait(timeoutMs, cause) {
      if (closed) return Promise.reject(new Error('the guard is closed: the revocation list will not be synchronized'));
      if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0)) {
        return Promise.reject(new TypeError('whenSynced({ timeoutMs }) must be a positive number of ms'));
      }
      return new Promise<void>((resolve, reject) => {
        const waiter: Waiter = { resolve, reject };
        waiting.add(waiter);
        if (timeoutMs === undefined) return;
        waiter.timer = setTimeout(() => {
          settle(waiter);
          const why = cause();
          reject(
            new Error(
              `the revocation list is not synchronized after ${timeoutMs} ms: ${why ?? 'the store has not answered'}`,
              { cause: why },
            ),
          );
        }, timeoutMs);
        waiter.timer.unref?.();
      });
    },
    wake() {
      for (const waiter of [...waiting]) {
        settle(waiter);
        waiter.resolve();
      }
    },
    close() {
      closed = true;
      for (const waiter of [...waiting]) {
        settle(waiter);
        waiter.reject(new Error('the guard was closed before the revocation list was synchronized'));
      }
    },
  };
}
