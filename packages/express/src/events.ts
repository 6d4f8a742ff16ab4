import { type Guard } from '@aap-guard/core';
import { securityEventReceiver, type SecurityEventOptions } from '@aap-guard/core/events';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';

/** Options of `aapEvents()`. */
export interface ExpressEventsOptions extends SecurityEventOptions<Request> {
  /** The guard whose revocations the events feed (`aap.guard`). */
  readonly guard: Guard;
}

/**
 * An Express router receiving Security Event Tokens pushed by the authorization server (RFC 8935):
 * `POST /` with `Content-Type: application/secevent+jwt`. Verified SETs that revoke tokens are applied
 * with `guard.revoke()` on every replica; the answer is 202, or `{ err, description }` with 400 (401/403
 * from your `authorize`). Mount it before `app.use(aap)`: the transmitter is no agent.
 *
 * @example
 * app.use('/aap-events', aapEvents({ guard: aap.guard, authorize: (req) => req.get('authorization') === `Bearer ${key}`
 * }));
 */
export function aapEvents(options: ExpressEventsOptions): Router {
  const { guard, ...receiverOptions } = options ?? ({} as ExpressEventsOptions);
  const receiver = securityEventReceiver<Request>(guard, receiverOptions);
  const router = express.Router();
  router.post(
    '/',
    express.raw({ type: 'application/secevent+jwt', limit: options.maxBytes ?? 65_536 }),
    (req, res, next) => {
      const body = Buffer.isBuffer(req.body) ? req.body : undefined;
      receiver
        .push(req, { headers: req.headers, body })
        .then(({ status, headers, body: text }) => void res.status(status).set(headers).end(text))
        .catch(next);
    },
  );
  // A body over the limit or unreadable: an RFC 8935 error, never Express's HTML page.
  router.use((error: { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
    const status = error?.status === 413 ? 413 : 400;
    res.status(status).json({
      err: 'invalid_request',
      description: status === 413 ? 'the SET is too large' : 'the request body cannot be read',
    });
  });
  return router;
}
