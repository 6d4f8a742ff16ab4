import { adminApi, type AdminOptions, type Guard } from '@aap-guard/core';
import express, { type Request, type Router } from 'express';

/** Options of `aapAdminRouter()`. */
export interface AdminRouterOptions extends AdminOptions<Request> {
  /** The guard whose holds and revocations are administered (`aap.guard`). */
  readonly guard: Guard;
  /** Largest JSON body accepted (default `16kb`). */
  readonly bodyLimit?: string | number | undefined;
}

/**
 * An Express router for holds and revocations: `GET /holds`, `GET /holds/:id`, `POST /holds/:id/approve`,
 * `POST /holds/:id/deny`, `GET /revocations`, `POST /revocations`. Every request must pass your
 * `authorize(req)`; without one, creating the router throws `TypeError` (it refuses to mount).
 *
 * @example
 * app.use('/aap-admin', aapAdminRouter({ guard: aap.guard, authorize: (req) => isAdmin(req), actor: (req) => req.user.email }));
 */
export function aapAdminRouter(options: AdminRouterOptions): Router {
  const api = adminApi(options?.guard as Guard, options, 'aapAdminRouter');
  const router = express.Router();
  router.use(express.json({ limit: options.bodyLimit ?? '16kb' }));
  router.use((req, res, next) => {
    api(req, { method: req.method, path: req.path, query: req.query as Record<string, unknown>, body: req.body })
      .then(({ status, body }) => {
        res.status(status).set('cache-control', 'no-store').json(body);
      })
      .catch(next);
  });
  // A malformed JSON body: a clear 400, never Express's HTML error page.
  router.use((error: { status?: number }, _req: Request, res: express.Response, _next: express.NextFunction) => {
    const status = typeof error?.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 400;
    res.status(status).json({ error: 'invalid_request' });
  });
  return router;
}
