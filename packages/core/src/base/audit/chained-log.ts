import type { AuditEvent } from './event.js';
import { chainLine, type ChainHead } from './chain.js';
import { fileTarget, streamTarget, type LogStream, type LogTarget } from './log-targets.js';

/** Options of `chainedAuditLog()`: a `file` or a `stream`. */
export interface ChainedAuditLogOptions {
  /** Append to this file (created, mode 0600, if absent); an existing log is continued from its last line. */
  readonly file?: string | undefined;
  /** Or write to this stream (a socket, `process.stdout`…); it is never ended or closed by the log. */
  readonly stream?: LogStream | undefined;
  /** Start a new log chained to an earlier one's head (rotation). Ignored when the file already has lines. */
  readonly continueFrom?: ChainHead | undefined;
  /** `fdatasync` each batch before its events count as written (file only; default false). */
  readonly fsync?: boolean | undefined;
  /** Events waiting to be written beyond which new ones are refused (default 10000). */
  readonly maxPending?: number | undefined;
}

/** An audit sink writing a hash-chained JSON-lines log. Pass it as `createGuard({ audit })`. */
export interface ChainedAuditLog {
  /** Append one event; resolves once written (and synced with `fsync`), rejects if it was not. */
  (event: AuditEvent): Promise<void>;
  /** The head of the last line written by this process (or found at open), `undefined` before. */
  readonly head: ChainHead | undefined;
  /** Open the log now (the first event otherwise does): resolves with its head, rejects with the cause. */
  open(): Promise<ChainHead>;
  /** Resolves once every event handed over so far is written or has failed. */
  flush(): Promise<void>;
  /** Flush, then close the file; later events are refused. */
  close(): Promise<void>;
}

interface Pending {
  readonly event: AuditEvent;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * A ready-made audit sink: one JSON line per event, each carrying the hash of the line before — the
 * draft's "logs protected against tampering" (format: `chainLine`; check with `verifyAuditFile` or
 * `aap-guard-audit verify <file>`). Events are written in order, in batches (all events that arrive
 * while a write is in progress go in the next one), so a slow disk costs one write per batch, not one
 * per request. A failed write or a full backlog rejects the event's promise: the guard's safe sink
 * wrapper reports it to the logger once, and the decision stands. Tokens never appear: events carry
 * the token's hash only.
 *
 * Durability: without `fsync` a line is in the OS page cache when its promise resolves — it survives a
 * crash of the process, not of the machine; with `fsync: true` each batch is `fdatasync`ed first.
 *
 * @example
 * const audit = chainedAuditLog({ file: '/var/log/aap/audit.jsonl', fsync: true });
 * const guard = createGuard({ issuer, audience, jwks, audit });
 * // on shutdown: await guard.close(); await audit.close();
 */
export function chainedAuditLog(options: ChainedAuditLogOptions): ChainedAuditLog {
  const { target, maxPending } = resolve(options);
  let head: ChainHead | undefined;
  let queue: Pending[] = [];
  let running: Promise<void> | undefined;
  let closed = false;

  const drain = async (): Promise<void> => {
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      head = (await writeBatch(target, batch)) ?? head;
    }
    running = undefined;
  };

  const log = (event: AuditEvent): Promise<void> => {
    if (closed) return Promise.reject(new Error('the audit log is closed'));
    if (queue.length >= maxPending)
      return Promise.reject(new Error(`the audit log is ${maxPending} events behind: event dropped`));
    return new Promise<void>((resolve, reject) => {
      queue.push({ event, resolve, reject });
      running ??= drain();
    });
  };
  const flush = async (): Promise<void> => {
    while (running) await running;
  };
  return Object.defineProperties(log, {
    head: { get: () => head, enumerable: true },
    open: { value: async () => (head ??= await target.head()) },
    flush: { value: flush },
    close: {
      value: async () => {
        closed = true;
        await flush();
        await target.close();
      },
    },
  }) as ChainedAuditLog;
}

/** Chain and write one batch in a single write; settle each event's promise. Returns the new head, if written. */
async function writeBatch(target: LogTarget, batch: readonly Pending[]): Promise<ChainHead | undefined> {
  let next: ChainHead;
  try {
    next = await target.head();
  } catch (error) {
    for (const pending of batch) pending.reject(error);
    return undefined;
  }
  const lines: string[] = [];
  const chained: Pending[] = [];
  for (const pending of batch) {
    try {
      const line = chainLine(pending.event, next);
      lines.push(line.line);
      chained.push(pending);
      next = line.head;
    } catch (error) {
      pending.reject(error); // e.g. an event that JSON cannot represent: that event only
    }
  }
  if (chained.length === 0) return undefined;
  try {
    await target.write(Buffer.from(lines.join(''), 'utf8'), next);
  } catch (error) {
    for (const pending of chained) pending.reject(error);
    return undefined;
  }
  for (const pending of chained) pending.resolve();
  return next;
}

function resolve(options: ChainedAuditLogOptions): { target: LogTarget; maxPending: number } {
  if (options === null || typeof options !== 'object')
    throw new TypeError('chainedAuditLog(options): options must be an object');
  const { file, stream, continueFrom, fsync = false, maxPending = 10_000 } = options;
  if ((file === undefined) === (stream === undefined))
    throw new TypeError('chainedAuditLog(options): give exactly one of options.file and options.stream');
  if (file !== undefined && (typeof file !== 'string' || file === ''))
    throw new TypeError('chainedAuditLog(options): options.file must be a path');
  if (stream !== undefined && (stream === null || typeof stream.write !== 'function'))
    throw new TypeError('chainedAuditLog(options): options.stream must be a writable stream');
  if (typeof fsync !== 'boolean') throw new TypeError('chainedAuditLog(options): options.fsync must be a boolean');
  if (fsync && stream !== undefined)
    throw new TypeError('chainedAuditLog(options): options.fsync applies to options.file only');
  if (!Number.isSafeInteger(maxPending) || maxPending < 1)
    throw new TypeError('chainedAuditLog(options): options.maxPending must be a positive integer');
  if (continueFrom !== undefined && !isHead(continueFrom))
    throw new TypeError('chainedAuditLog(options): options.continueFrom must be a { seq, hash } chain head');
  const target = file !== undefined ? fileTarget(file, { fsync, continueFrom }) : streamTarget(stream!, continueFrom);
  return { target, maxPending };
}

function isHead(value: unknown): value is ChainHead {
  const { seq, hash } = (value ?? {}) as Partial<ChainHead>;
  return Number.isSafeInteger(seq) && (seq as number) >= 0 && typeof hash === 'string' && /^[\w-]{43}$/.test(hash);
}
