/** A value now, or a promise of it: the guard's paths stay synchronous while nothing waits on I/O. */
export type Awaitable<T> = T | Promise<T>;

/**
 * `next(value)` now, or once `value` settles: the adapters stay synchronous while the flow is.
 *
 * @example
 * const kind = await andThen(flow.begin(req, res), (begun) => begun.kind); // 'authenticated', 'deny'…
 */
export function andThen<T, U>(value: Awaitable<T>, next: (settled: T) => Awaitable<U>): Awaitable<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}
