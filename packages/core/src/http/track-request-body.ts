import type { IncomingMessage } from 'node:http';

/** Body bytes seen on one request, and the limit enforced on them once it is known. */
export interface BodyTracker {
  /** Body bytes handed to the request stream so far (including bytes buffered before tracking began). */
  readonly received: number;
  /** True when some of the body was consumed before tracking began (its size is unknown). */
  readonly consumedBeforeTracking: boolean;
  /** Set the limit; `onExceeded` runs once, synchronously if the limit is already crossed. */
  limit(maxBytes: number, onExceeded: (received: number) => void): void;
  /** True once the limit was crossed: later body bytes are dropped, never delivered. */
  readonly exceeded: boolean;
}

const TRACKER = Symbol.for('aap-guard.body-tracker');
const NO_STREAMED_BODY: BodyTracker = Object.freeze({ received: 0, consumedBeforeTracking: false, exceeded: false, limit() {} });
type Tracked = IncomingMessage & { [TRACKER]?: BodyTracker };

/**
 * Start counting a request's body bytes — call it as early as possible (adapters do, first thing
 * in their global middleware, before any `await`): the decision that carries `maxRequestSize` is
 * only known after the guard ran, and the body keeps arriving meanwhile. Idempotent.
 *
 * The count is taken where Node's HTTP parser hands body bytes to the stream (`push`), so the
 * stream's flowing state and any body parser the application installs later are untouched.
 *
 * @example
 * const body = trackRequestBody(req); // then, once the decision is known:
 * body.limit(decision.limits.maxRequestSize, () => writeDeny(res, tooLarge));
 */
export function trackRequestBody(req: IncomingMessage): BodyTracker {
  const tracked = req as Tracked;
  if (tracked[TRACKER]) return tracked[TRACKER];
  // Without Transfer-Encoding the body is exactly Content-Length bytes, or absent (RFC 9112 §6.3).
  if (req.headers['transfer-encoding'] === undefined) return NO_STREAMED_BODY;
  let received = req.readableLength; // already buffered, not yet read
  let max = Infinity;
  let onExceeded: ((received: number) => void) | undefined;
  let exceeded = false;
  const cross = () => {
    exceeded = true;
    onExceeded?.(received);
  };
  const tracker: BodyTracker = {
    get received() {
      return received;
    },
    consumedBeforeTracking: req.readableDidRead,
    get exceeded() {
      return exceeded;
    },
    limit(maxBytes, callback) {
      max = maxBytes;
      onExceeded = callback;
      if (!exceeded && received > max) cross();
    },
  };
  const push = req.push;
  req.push = function countingPush(this: IncomingMessage, chunk: unknown, encoding?: BufferEncoding): boolean {
    if (exceeded) return true; // drop everything after the limit
    if (chunk !== null && chunk !== undefined) {
      received += typeof chunk === 'string' ? Buffer.byteLength(chunk, encoding) : (chunk as Uint8Array).byteLength;
      if (received > max) {
        cross();
        return true;
      }
    }
    return push.call(this, chunk, encoding);
  };
  tracked[TRACKER] = tracker;
  return tracker;
}
