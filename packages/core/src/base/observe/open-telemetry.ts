import diagnostics_channel from 'node:diagnostics_channel';
import {
  context,
  metrics,
  SpanKind,
  SpanStatusCode,
  trace,
  type Meter,
  type MeterProvider,
  type Span,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import {
  CHANNELS,
  checkChannel,
  jwksChannel,
  storeChannel,
  type DecisionMessage,
  type JwksTraceContext,
  type StoreTraceContext,
} from './channels.js';
import { decisionAttributes, decisionLabels, errorType, wouldDenyLabels } from './check-attributes.js';
import { subscribeTimed } from './timed-channel.js';
import type { CheckTraceContext } from './trace-checks.js';
import type { Decision } from '../types/decision.js';

/** Options of `installOpenTelemetry()`. */
export interface OpenTelemetryOptions {
  /** Where spans go (default: the global tracer provider, `trace.setGlobalTracerProvider`). */
  readonly tracerProvider?: TracerProvider | undefined;
  /** Where metrics go (default: the global meter provider). */
  readonly meterProvider?: MeterProvider | undefined;
  /** Record a span per check (default true). */
  readonly traces?: boolean | undefined;
  /** Record the counters and histograms (default true). */
  readonly metrics?: boolean | undefined;
}

/** A running installation. */
export interface OpenTelemetryInstallation {
  /** Stop listening: no further spans or measurements. Idempotent. */
  uninstall(): void;
}

const SCOPE = '@aap-guard/core';
/** Seconds: from a cached-token check (~10 µs) to a slow JWKS fetch (seconds). */
const BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * Send what every guard in the process publishes on `node:diagnostics_channel` to OpenTelemetry —
 * no option on any guard, no coupling inside it:
 *
 * - a span per `check()` / `authenticate()` / `authorize()` (`aap-guard check`…), child of the active
 *   span, with `aap.phase`, `aap.decision`, `aap.status`, `aap.reason`, `aap.error`, `aap.action`,
 *   `aap.agent.id`, `aap.agent.operator`, `aap.task.id`, `aap.delegation.depth`, `aap.audit.trace_id`,
 *   `aap.would_deny` (the reasons report-only policies would have denied with);
 *   status ERROR for a 5xx decision (an infrastructure fault) — never the token, a proof or a policy value;
 * - `aap.decisions` (counter, `{decision}`) by `aap.decision`, `aap.reason`, `aap.action`;
 * - `aap.would_deny` (counter, `{deny}`) by `aap.policy`, `aap.reason`, `aap.action`: what report-only
 *   policies (`GuardOptions.reportOnly`) would have denied, one per would-deny of a decision;
 * - `aap.check.duration` (histogram, s) by `aap.phase`, `aap.decision`;
 * - `aap.store.operation.duration` (histogram, s) by `aap.store.operation`, `error.type`;
 * - `aap.jwks.fetch.duration` (histogram, s) by `url.full`, `http.response.status_code`, `error.type`.
 *
 * Needs `@opentelemetry/api` (an optional peer dependency) and an SDK set up by the application.
 *
 * @example
 * import { installOpenTelemetry } from '@aap-guard/core/opentelemetry';
 * const otel = installOpenTelemetry(); // after the OpenTelemetry SDK is started
 * // on shutdown:
 * otel.uninstall();
 */
export function installOpenTelemetry(options: OpenTelemetryOptions = {}): OpenTelemetryInstallation {
  if (options === null || typeof options !== 'object')
    throw new TypeError('installOpenTelemetry(options): options must be an object');
  const stops: (() => void)[] = [];
  if (options.traces !== false)
    stops.push(spanChecks((options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE)));
  if (options.metrics !== false)
    stops.push(...recordMetrics((options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE)));
  return {
    uninstall() {
      for (const stop of stops.splice(0)) stop();
    },
  };
}

function spanChecks(tracer: Tracer): () => void {
  const spans = new WeakMap<object, Span>();
  return subscribeTimed<CheckTraceContext>(checkChannel, {
    start(ctx) {
      const attributes = {
        'aap.phase': ctx.phase,
        'http.request.method': ctx.request.method,
        ...(ctx.route ? { 'aap.action': ctx.route.action } : {}),
      };
      spans.set(
        ctx,
        tracer.startSpan(`aap-guard ${ctx.phase}`, { kind: SpanKind.INTERNAL, attributes }, context.active()),
      );
    },
    end(ctx) {
      const span = spans.get(ctx);
      if (!span) return;
      spans.delete(ctx);
      const decision = ctx.result as Decision | undefined;
      if (ctx.error !== undefined || !decision) {
        span.recordException(ctx.error instanceof Error ? ctx.error : String(ctx.error));
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'the check threw' });
      } else {
        span.setAttributes(decisionAttributes(decision, ctx.route));
        if (decision.status >= 500)
          span.setStatus({ code: SpanStatusCode.ERROR, message: decision.reason ?? 'unavailable' });
      }
      span.end();
    },
  });
}

function recordMetrics(meter: Meter): (() => void)[] {
  const advice = { explicitBucketBoundaries: BUCKETS };
  const decisions = meter.createCounter('aap.decisions', {
    description: 'Decisions of aap-guard, by outcome, reason and action',
    unit: '{decision}',
  });
  const checks = meter.createHistogram('aap.check.duration', {
    description: 'Time aap-guard spent deciding',
    unit: 's',
    advice,
  });
  const store = meter.createHistogram('aap.store.operation.duration', {
    description: 'Duration of aap-guard store calls',
    unit: 's',
    advice,
  });
  const jwks = meter.createHistogram('aap.jwks.fetch.duration', {
    description: 'Duration of JWKS and authorization-server metadata fetches',
    unit: 's',
    advice,
  });
  const wouldDeny = meter.createCounter('aap.would_deny', {
    description: 'Denies of report-only policies aap-guard did not enforce, by policy, reason and action',
    unit: '{deny}',
  });
  const onDecision = (message: unknown): void => {
    const { decision, route } = message as DecisionMessage;
    try {
      decisions.add(1, decisionLabels(decision, route));
      for (const would of decision.wouldDeny ?? []) wouldDeny.add(1, wouldDenyLabels(would, decision, route));
    } catch {
      // observability must never break what it observes
    }
  };
  diagnostics_channel.subscribe(CHANNELS.decision, onDecision);
  return [
    () => void diagnostics_channel.unsubscribe(CHANNELS.decision, onDecision),
    subscribeTimed<CheckTraceContext>(checkChannel, {
      end: (ctx, seconds) => checks.record(seconds, { 'aap.phase': ctx.phase, 'aap.decision': outcomeOf(ctx) }),
    }),
    subscribeTimed<StoreTraceContext>(storeChannel, {
      end: (ctx, seconds) =>
        store.record(seconds, {
          'aap.store.operation': ctx.operation,
          ...(ctx.error !== undefined ? { 'error.type': errorType(ctx.error) } : {}),
        }),
    }),
    subscribeTimed<JwksTraceContext>(jwksChannel, {
      end: (ctx, seconds) => jwks.record(seconds, fetchAttributes(ctx)),
    }),
  ];
}

function fetchAttributes(
  ctx: JwksTraceContext & { readonly result?: unknown; readonly error?: unknown },
): Record<string, string | number> {
  const url = URL.canParse(ctx.uri) ? new URL(ctx.uri) : undefined;
  if (url) url.username = url.password = ''; // semantic conventions: url.full never carries credentials
  const attributes: Record<string, string | number> = { 'url.full': url?.href ?? 'unknown' };
  const status = (ctx.result as { status?: unknown } | undefined)?.status;
  if (typeof status === 'number') attributes['http.response.status_code'] = status;
  if (ctx.error !== undefined) attributes['error.type'] = errorType(ctx.error);
  else if (typeof status === 'number' && status >= 400) attributes['error.type'] = String(status);
  return attributes;
}

function outcomeOf(ctx: { readonly result?: unknown; readonly error?: unknown }): string {
  if (ctx.error !== undefined) return 'error';
  return (ctx.result as Decision | undefined)?.allowed ? 'allow' : 'deny';
}
