import type { ServerResponse } from 'node:http';
import { DENY_WRITE } from './write-deny.js';

/** What `limitResponseBody` reports when the response was cut off. */
export interface ResponseBodyExceeded {
  readonly limit: number;
  /** Bytes the application tried to send in total, up to and including the chunk that crossed. */
  readonly attempted: number;
}

type WriteCallback = (error?: Error | null) => void;

/**
 * Cut a response off after `maxBytes` body bytes (the capability's `max_response_size`): bytes
 * up to the limit are sent, then the socket is destroyed, so the client sees a truncated, failed
 * response — never a complete-looking one — and `onCutOff` is called once (for the audit event).
 * Counts body bytes as the application writes them (before any transfer coding).
 *
 * @example
 * limitResponseBody(res, 1_000_000, (info) => log.warn({ ...info }, 'response cut off'));
 */
export function limitResponseBody(
  res: ServerResponse,
  maxBytes: number,
  onCutOff: (info: ResponseBodyExceeded) => void,
): void {
  let sent = 0;
  let cut = false;
  const write = res.write;
  const end = res.end;

  /** Returns the part of `chunk` that may still go out, or undefined when it fits entirely. */
  const admit = (chunk: unknown, encoding: BufferEncoding | undefined): Buffer | undefined => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return undefined;
    if ((res as ServerResponse & { [DENY_WRITE]?: true })[DENY_WRITE]) return undefined; // the guard's own deny body
    const size =
      typeof chunk === 'string' ? Buffer.byteLength(chunk, encoding ?? 'utf8') : (chunk as Uint8Array).byteLength;
    if (sent + size <= maxBytes) {
      sent += size; // the common case: counted without copying
      return undefined;
    }
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, encoding ?? 'utf8') : Buffer.from(chunk as Uint8Array);
    const allowed = bytes.subarray(0, Math.max(0, maxBytes - sent));
    cut = true;
    onCutOff({ limit: maxBytes, attempted: sent + size });
    sent = maxBytes;
    return allowed;
  };

  const cutOff = (rest: Buffer): void => {
    if (rest.byteLength === 0) {
      res.destroy();
      return;
    }
    (write as (chunk: Buffer, callback: WriteCallback) => boolean).call(res, rest, () => res.destroy());
  };

  res.write = function limitedWrite(
    this: ServerResponse,
    chunk: unknown,
    encoding?: unknown,
    callback?: unknown,
  ): boolean {
    if (cut) return false;
    const rest = admit(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : undefined);
    if (rest === undefined) return write.call(this, chunk, encoding as BufferEncoding, callback as WriteCallback);
    cutOff(rest);
    return false;
  } as ServerResponse['write'];

  res.end = function limitedEnd(
    this: ServerResponse,
    chunk?: unknown,
    encoding?: unknown,
    callback?: unknown,
  ): ServerResponse {
    if (cut) return this;
    const rest = admit(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : undefined);
    if (rest === undefined) return end.call(this, chunk as string, encoding as BufferEncoding, callback as () => void);
    cutOff(rest);
    return this;
  } as ServerResponse['end'];
}
