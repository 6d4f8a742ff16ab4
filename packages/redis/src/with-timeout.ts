/**
 * Settle with `promise`, or reject after `ms` — whichever comes first. The late outcome of `promise`
 * is always handled, so a command that fails after the timeout never becomes an unhandled rejection.
 *
 * @example
 * await withTimeout(redis.ping(), 500);
 */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
