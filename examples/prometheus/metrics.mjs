// Prometheus metrics of every aap-guard in the process, from node:diagnostics_channel: no option on
// the guard, nothing inside it knows Prometheus. This file is all it takes.
import diagnostics_channel from 'node:diagnostics_channel';
import { CHANNELS } from '@aap-guard/core';
import client from 'prom-client';

/**
 * Register aap-guard's metrics in `registry` (default: a new one) and start counting.
 * @param {import('prom-client').Registry} [registry]
 * @returns {{ registry: import('prom-client').Registry, stop: () => void }}
 */
export function aapMetrics(registry = new client.Registry()) {
  const decisions = new client.Counter({
    name: 'aap_guard_decisions_total',
    help: 'aap-guard decisions by outcome, deny reason and route action',
    labelNames: ['decision', 'reason', 'action'],
    registers: [registry],
  });
  const checks = new client.Histogram({
    name: 'aap_guard_check_duration_seconds',
    help: 'Time aap-guard spent deciding',
    labelNames: ['decision'],
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1],
    registers: [registry],
  });
  const store = new client.Histogram({
    name: 'aap_guard_store_duration_seconds',
    help: 'Duration of aap-guard store calls (rate limits, DPoP replay)',
    labelNames: ['operation'],
    buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.25, 1],
    registers: [registry],
  });

  // One message per decision: { decision, route }.
  const onDecision = ({ decision, route }) =>
    decisions.inc({
      decision: decision.allowed ? 'allow' : 'deny',
      reason: decision.reason ?? '',
      action: route?.action ?? '',
    });
  diagnostics_channel.subscribe(CHANNELS.decision, onDecision);

  // Tracing channels: `start` when a call begins, `asyncEnd` when it settled; the context object is the same.
  const timers = new WeakMap();
  const checkTiming = {
    start: (ctx) => timers.set(ctx, checks.startTimer()),
    asyncEnd: (ctx) => timers.get(ctx)?.({ decision: ctx.result?.allowed ? 'allow' : 'deny' }),
  };
  const storeTiming = {
    start: (ctx) => timers.set(ctx, store.startTimer({ operation: ctx.operation })),
    asyncEnd: (ctx) => timers.get(ctx)?.(),
  };
  const checkChannel = diagnostics_channel.tracingChannel(CHANNELS.check);
  const storeChannel = diagnostics_channel.tracingChannel(CHANNELS.store);
  checkChannel.subscribe(checkTiming);
  storeChannel.subscribe(storeTiming);

  const stop = () => {
    diagnostics_channel.unsubscribe(CHANNELS.decision, onDecision);
    checkChannel.unsubscribe(checkTiming);
    storeChannel.unsubscribe(storeTiming);
  };
  return { registry, stop };
}
