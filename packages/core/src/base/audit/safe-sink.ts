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

const AUDIT_OFF =
  'no audit sink: decisions are not audited (draft §7.9 requires them logged). ' +
  'Give one, e.g. audit: (event) => console.log(JSON.stringify(event)), or audit: false to say none is wanted';

/**
 * Wrap the user's audit sink once, at `createGuard()`: a sink that throws, or returns a promise that
 * rejects, never changes a decision and never becomes an unhandled rejection; the failure reaches the
 * logger once (an `audit.down` line with its cause), and its recovery once (`audit.up`). No sink is one
 * `audit.off` line: a warning when none was given, information for `audit: false`.
 */
export function safeAuditSink(sink: unknown, logger: Logger): AuditEmitter | undefined {
  // Draft §7.9: the RS MUST log agent, task, action and decision. A guard without a sink says so once, at
  // startup, so that an install never runs unaudited without a line saying so; `false` is the choice made in code.
  if (sink === undefined) {
    logger.warn({ event: 'audit.off', option: 'audit' }, AUDIT_OFF);
    return undefined;
  }
  if (sink === false) {
    logger.info({ event: 'audit.off', option: 'audit' }, 'audit: false — decisions are not audited');
    return undefined;
  }
  if (typeof sink !== 'function')
    throw new TypeError('options.audit must be a function (event) => void | Promise<void>, or false');
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
