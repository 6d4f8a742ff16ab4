import diagnostics_channel from 'node:diagnostics_channel';
import type { Decision } from '../types/decision.js';

/**
 * What the guard publishes on `node:diagnostics_channel` — free when nobody subscribes (every
 * publication is behind `hasSubscribers`). Metrics and tracing integrations (the OpenTelemetry
 * integration, a Prometheus exporter, your own) subscribe here; the guard itself knows none of them.
 *
 * - `aap-guard:decision` — one message per decision: `{ decision, route }` (a `DecisionMessage`).
 * - `aap-guard:check` — a tracing channel around each `guard.check()`, `guard.authenticate()` and
 *   `guard.authorize()` (`start`, `asyncEnd`, `error`): context `{ request, route, phase }`
 *   (`CheckTraceContext`; `phase` names the entry point), `result` = the `Decision`.
 * - `aap-guard:store` — a tracing channel around each store call: context `{ operation }`.
 * - `aap-guard:jwks` — a tracing channel around each key-set or metadata fetch: context `{ uri }`,
 *   `result` = the fetch `Response`.
 *
 * `@aap-guard/core/opentelemetry` turns these into spans and metrics; `examples/prometheus` shows a
 * Prometheus exporter in a few lines.
 *
 * @example
 * import diagnostics_channel from 'node:diagnostics_channel';
 * diagnostics_channel.subscribe('aap-guard:decision', (message) => {
 *   const { decision } = message as DecisionMessage;
 *   counter.inc({ reason: decision.reason ?? 'allow' });
 * });
 */
export const CHANNELS = Object.freeze({
  decision: 'aap-guard:decision',
  check: 'aap-guard:check',
  store: 'aap-guard:store',
  jwks: 'aap-guard:jwks',
});

/** A message on `aap-guard:decision`. */
export interface DecisionMessage {
  readonly decision: Decision;
  /** The route's declaration, when the decision concerned one. */
  readonly route: { readonly action: string } | undefined;
}

/** The context of `aap-guard:store` (a store call, e.g. `consume`). */
export interface StoreTraceContext {
  readonly operation: string;
}

/** The context of `aap-guard:jwks` (a key-set or metadata fetch); `result` is the `Response`. */
export interface JwksTraceContext {
  readonly uri: string;
}

// The type arguments are spelled out, and equal, so the published declarations compile with every
// @types/node: version 26 swapped the parameters of `TracingChannel` (up to 25: `<StoreType, ContextType
// extends object>`; 26: `<ContextType extends object, StoreType>`), and the `TracingChannel<unknown,
// object>` inferred with the older one fails the newer constraint (TS2344) in a consumer's type check.
export const decisionChannel: diagnostics_channel.Channel<unknown, unknown> = diagnostics_channel.channel(
  CHANNELS.decision,
);
export const checkChannel = diagnostics_channel.tracingChannel<object, object>(CHANNELS.check);
export const storeChannel = diagnostics_channel.tracingChannel<object, object>(CHANNELS.store);
export const jwksChannel = diagnostics_channel.tracingChannel<object, object>(CHANNELS.jwks);

/**
 * Run `operation` inside a tracing channel when someone listens, else call it directly.
 */
export function traced<T>(channel: typeof storeChannel, context: object, operation: () => Promise<T>): Promise<T> {
  return channel.hasSubscribers ? channel.tracePromise(operation, context) : operation();
}
