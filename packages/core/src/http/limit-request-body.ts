import type { IncomingMessage, ServerResponse } from 'node:http';
import { trackRequestBody } from './track-request-body.js';

/** What `limitRequestBody` reports when a streamed body went over the limit. */
export interface RequestBodyExceeded {
  readonly limit: number;
  /** Bytes received when the limit was crossed (`-1`: consumed before tracking, size unknown). */
  readonly received: number;
}

/**
 * Enforce a body-size limit on a request body sent without `Content-Length` (chunked): the first
 * chunk that crosses `maxBytes` is never delivered to the application; `onExceeded` is called
 * once (it writes the 413, see `enforceLimits`), then the connection is closed after the response.
 * With a `Content-Length` the core has already compared the declared size, and Node's parser
 * never delivers more than declared, so nothing is enforced here.
 *
 * Fails closed: if part of the body was read before `trackRequestBody()` started counting (a body
 * parser mounted before the guard), its size is unknown and the request is refused.
 * Returns `false` when the request was refused synchronously (do not call the handler).
 *
 * @example
 * if (!limitRequestBody(req, res, 1024, () => writeDeny(res, tooLarge))) return;
 */
export function limitRequestBody(
  req: IncomingMessage,
  res: ServerResponse,
  maxBytes: number,
  onExceeded: (info: RequestBodyExceeded) => void,
): boolean {
  if (req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] === undefined) return true;
  const body = trackRequestBody(req);
  const refuse = (received: number) => {
    closeAfterResponse(res);
    onExceeded({ limit: maxBytes, received });
  };
  if (body.consumedBeforeTracking) {
    refuse(-1);
    return false;
  }
  body.limit(maxBytes, refuse);
  return !body.exceeded;
}

function closeAfterResponse(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader('connection', 'close');
  if (res.writableFinished) res.destroy();
  else res.once('finish', () => res.destroy());
}
