import type { TracingChannel } from 'node:diagnostics_channel';

/** A traced call's context once it settled: what the publisher gave, plus `result` or `error`. */
export type Settled<C> = C & { readonly result?: unknown; readonly error?: unknown };

/** What `subscribeTimed()` calls. Handlers must not throw (a throwing subscriber crashes the process). */
export interface TimedHandlers<C> {
  /** When the call starts (synchronously, in the caller's async context). */
  readonly start?: ((context: C) => void) | undefined;
  /** Once per call, after it settled, with the seconds it took. */
  readonly end: (context: Settled<C>, seconds: number) => void;
}

/**
 * Subscribe to a tracing channel and hear of each call once at its start and once when it settled,
 * with its duration — whether it resolved, rejected, or threw synchronously. Every handler is
 * guarded: an exception in a metrics or tracing integration never reaches the guard or the process.
 * Returns the unsubscribe function.
 */
export function subscribeTimed<C extends object>(channel: TracingChannel, handlers: TimedHandlers<C>): () => void {
  const started = new WeakMap<object, number>();
  const finish = (context: object): void => {
    const at = started.get(context);
    if (at === undefined) return;
    started.delete(context);
    quietly(() => handlers.end(context as Settled<C>, (performance.now() - at) / 1000));
  };
  const subscribers = {
    start: (context: unknown) => {
      started.set(context as object, performance.now());
      if (handlers.start) quietly(() => handlers.start!(context as C));
    },
    // A synchronous throw publishes `error` then `end` and no `asyncEnd`; a promise publishes `end` before it settles.
    end: (context: unknown) => {
      if ((context as { error?: unknown }).error !== undefined) finish(context as object);
    },
    asyncStart: () => undefined,
    asyncEnd: (context: unknown) => finish(context as object),
    error: () => undefined,
  };
  channel.subscribe(subscribers);
  return () => void channel.unsubscribe(subscribers);
}

function quietly(run: () => void): void {
  try {
    run();
  } catch {
    // observability must never break what it observes
  }
}
