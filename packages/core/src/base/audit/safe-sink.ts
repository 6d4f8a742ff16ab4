import type { AuditEvent } from './event.js';
import { Health, type Logger } from '../log/logger.js';

/** What the guard calls for every audit event: never throws, never leaves a rejected promise behind. */
export type AuditEmitter = (event: AuditEvent) => void;

/** Where audit events go: the guard's wrapped sink (`GuardRuntime.audit`), or nowhere. */
export interface AuditTarget {
  readonly audit: AuditEmitter | undefined;
}

/**
 * The one place an audit event leaves the guard (decisions, enforcement after the decision, hold and
 * revocation operations): through the sink wrapped once by `safeAuditSink`, so a failing sink never
 * changes an outcome and never throws here.
 */
export function emitAudit(target: AuditTarget, event: AuditEvent): void {
  target.audit?.(event);
}

/**
 * Wrap the user's audit sink once, at `createGuard()`: a sink that throws, or returns a promise that
 * rejects, never changes a decision and never becomes an unhandled rejection; the failure reaches the
 * logger once (an `audit.down` line with its cause), and its recovery once (`audit.up`).
 */
export function safeAuditSink(sink: unknown, logger: Logger): AuditEmitter | undefined {
  if (sink === undefined) return undefined;
  if (typeof sink !== 'function') throw new TypeError('options.audit must be a function (event) => void | Promise<void>');
  const health = new Health(logger, 'audit');
  const failed = (error: unknown): void => health.down(error, 'the audit sink failed: audit events are being lost');
  const succeeded = (): void => health.up('the audit sink recovered');
  return (event) => {
    let result: unknown;
    try {
      result = (sink as (event: AuditEvent) => unknown)(event);
    } catch (error) {
      failed(error);
      return;
    }
    if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
      (result as PromiseLike<unknown>).then(succeeded, failed);
    } else if (health.isDown) {
      succeeded();
    }
  };
}
