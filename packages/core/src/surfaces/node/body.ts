import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { BODY_DIGEST } from '../../concerns/holds/body-digest.js';
import type { BodyContentResult, BodyDigestResult, RequestBody } from '../../base/types/request.js';

/** What the guard sees of one request body: its size so far, a limit on it, and its digest on demand. */
export interface BodyTap {
  /** Body bytes the parser delivered so far. */
  readonly received: number;
  /** Installed after some of the body was already buffered or read: its size and bytes are partly unknown. */
  readonly late: boolean;
  /** True once a limit was crossed: later bytes are dropped, never delivered. */
  readonly exceeded: boolean;
  /**
   * Enforce a size limit from now on; `onExceeded` runs once (synchronously if already crossed). Several
   * limits (two declarations, two guards): the smallest holds, with its `onExceeded`.
   */
  limit(maxBytes: number, onExceeded: (received: number) => void): void;
  /**
   * Digest the whole body without consuming it (the application still reads every byte), up to `maxBytes`;
   * with `{ content: true }` the result also carries the bytes (for a hold's preview).
   */
  digest(maxBytes: number, options?: { readonly content?: boolean }): Promise<BodyDigestResult>;
  /**
   * The whole body's bytes without consuming them, up to `maxBytes` (a form body looked at for a token).
   * Once read they are kept for the request, through `release()`: a second run of the pipeline for the
   * same request (an anonymous request that a route's declaration checks again) gets the same answer.
   */
  content(maxBytes: number): Promise<BodyContentResult>;
  /** Drop the references kept for a digest (the decision no longer needs the bytes). */
  release(): void;
}

const TOO_LARGE = Object.freeze({ problem: 'too_large' as const });
const UNAVAILABLE = Object.freeze({ problem: 'unavailable' as const });
const EMPTY = Object.freeze({ empty: true as const });

const TAP = Symbol.for('aap-guard.body-tap');
type Tapped = IncomingMessage & { [TAP]?: BodyTap };

/**
 * Watch a request body — call it synchronously when the request reaches the adapter, before any `await`:
 * the decision (a size limit, a hold that binds the body) is known only later, and the body keeps
 * arriving meanwhile. A request without a body (no `Content-Length` > 0, no `Transfer-Encoding`, RFC 9112
 * §6.3) costs nothing: no tap is installed. Idempotent.
 *
 * The tap sits where Node's HTTP parser hands bytes to the stream (`push`), so the stream's state and the
 * application's body parser are untouched: bytes pass through as they arrive. Until the decision is made
 * it keeps references to them (up to `keepBytes`), so the body can be digested without being consumed.
 *
 * @example
 * tapBody(req, guardSettings.holds.maxBodyBytes); // first thing in the middleware
 */
export function tapBody(req: IncomingMessage, keepBytes: number): BodyTap | undefined {
  // Headers first: a request without a body never has a tap, and a symbol missing from `req` is a lookup
  // through its whole prototype chain (megamorphic in every framework).
  if (!declaresBody(req)) return undefined;
  const tapped = req as Tapped;
  if (tapped[TAP]) return tapped[TAP];
  const late = req.readableDidRead || req.readableLength > 0 || req.complete;
  let received = req.readableLength;
  let kept: Buffer[] | undefined = [];
  let keptBytes = 0;
  let max = Number.POSITIVE_INFINITY;
  let onExceeded: ((received: number) => void) | undefined;
  let exceeded = false;
  let ended = req.complete;
  let read: Buffer | undefined; // the whole body, once `content()` saw it
  let waiting: Set<() => void> | undefined; // reads waiting for the end (a form body, a digest)
  const wake = (): void => waiting?.forEach((check) => check());
  /**
   * Settles once the body ended, outgrew `maxBytes` or the limit, or the request was cut off; never pauses
   * the socket meanwhile.
   */
  const settled = (maxBytes: number): Promise<void> =>
    new Promise((resolve) => {
      if (ended || !kept || keptBytes > maxBytes) return resolve();
      const done = (): void => {
        waiting?.delete(check);
        if (waiting?.size === 0) waiting = undefined;
        req.off('close', done);
        resolve();
      };
      const check = (): void => void ((ended || !kept || keptBytes > maxBytes) && done());
      (waiting ??= new Set()).add(check);
      req.once('close', done); // an aborted request pushes no end
      req.socket?.resume(); // Node pauses the socket when the stream buffer is full (readStop)
    });
  const push = req.push;
  req.push = function tappedPush(this: IncomingMessage, chunk: unknown, encoding?: BufferEncoding): boolean {
    // Past the limit everything is dropped, the end included: the application never sees a complete body.
    if (exceeded) return true;
    if (chunk === null || chunk === undefined) {
      ended = true;
      const result = push.call(this, chunk, encoding);
      wake();
      return result;
    }
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, encoding) : (chunk as Buffer);
    received += bytes.byteLength;
    if (received > max) {
      exceeded = true;
      kept = undefined;
      onExceeded?.(received);
      wake();
      return true;
    }
    if (kept) {
      keptBytes += bytes.byteLength;
      if (keptBytes > keepBytes)
        kept = undefined; // too large to digest; a digest now says so
      else kept.push(bytes);
    }
    const flowing = push.call(this, bytes);
    if (!waiting) return flowing;
    wake(); // a read waits for the end: settle early if the body already outgrew it
    return true; // …and never pause the socket meanwhile
  };
  const tap: BodyTap = {
    get received() {
      return received;
    },
    late,
    get exceeded() {
      return exceeded;
    },
    limit(maxBytes, callback) {
      // One tap per request, whichever guards and declarations set limits on it: every limit holds, so the
      // smallest wins — a later, looser one never replaces an earlier, stricter one.
      if (maxBytes >= max) return;
      max = maxBytes;
      onExceeded = callback;
      if (!exceeded && received > max) {
        exceeded = true;
        callback(received);
      }
    },
    digest(maxBytes, options) {
      if (late) return Promise.resolve(UNAVAILABLE);
      return settled(maxBytes).then(() => {
        if (!kept || keptBytes > maxBytes) return TOO_LARGE;
        if (!ended) return UNAVAILABLE; // cut off before its end
        if (keptBytes === 0) return EMPTY;
        const content = options?.content ? { content: Buffer.concat(kept) } : {};
        return { digest: digestOf(kept), bytes: keptBytes, ...content };
      });
    },
    content(maxBytes) {
      if (read) return Promise.resolve(read.byteLength > maxBytes ? TOO_LARGE : { content: read });
      if (late) return Promise.resolve(UNAVAILABLE);
      return settled(maxBytes).then(() => {
        if (read) return read.byteLength > maxBytes ? TOO_LARGE : { content: read }; // read meanwhile
        if (!kept || keptBytes > maxBytes) return TOO_LARGE;
        if (!ended) return UNAVAILABLE;
        if (keptBytes === 0) return EMPTY;
        read = Buffer.concat(kept);
        return { content: read };
      });
    },
    release() {
      kept = undefined;
    },
  };
  tapped[TAP] = tap;
  return tap;
}

/**
 * The body of a request, as the guard's `RequestInfo.body`: digested through its tap, or through the
 * digest a body parser left under `BODY_DIGEST`; `unavailable` when the body was read before the guard
 * could see it.
 *
 * @example
 * const info = nodeRequestInfo(req, { body: requestBody(req) });
 */
export function requestBody(req: IncomingMessage): RequestBody | undefined {
  const declared = declaresBody(req);
  const tap = declared ? (req as Tapped)[TAP] : undefined; // only a declared body is ever tapped
  const left = (req as IncomingMessage & { [BODY_DIGEST]?: unknown })[BODY_DIGEST];
  if (typeof left !== 'string' && !declared) return undefined;
  return {
    digest(maxBytes, options) {
      const known = (req as IncomingMessage & { [BODY_DIGEST]?: unknown })[BODY_DIGEST];
      if (typeof known === 'string') return Promise.resolve({ digest: known, bytes: -1 }); // a parser's digest: no bytes to preview
      return tap ? tap.digest(maxBytes, options) : Promise.resolve(UNAVAILABLE);
    },
    content(maxBytes) {
      return tap ? tap.content(maxBytes) : Promise.resolve(UNAVAILABLE);
    },
  };
}

/** The tap of a request, if one was installed. */
export function bodyTapOf(req: IncomingMessage): BodyTap | undefined {
  return declaresBody(req) ? (req as Tapped)[TAP] : undefined;
}

/** RFC 9112 §6.3: a body follows when a transfer coding or a non-zero Content-Length is sent. */
function declaresBody(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && /[1-9]/.test(length);
}

function digestOf(chunks: readonly Buffer[]): string {
  const hash = createHash('sha256');
  for (const chunk of chunks) hash.update(chunk);
  return hash.digest('base64url');
}
