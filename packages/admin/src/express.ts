import type { Guard } from '@aap-guard/core';
import express, { type Request, type Response, type Router } from 'express';
import { adminRoutes, type AdminRoutesOptions } from './admin-routes.js';
import type { AdminHttpResponse } from './console/reply.js';

/** Options of `aapAdmin()` of `@aap-guard/admin/express`. */
export interface ExpressAdminOptions extends AdminRoutesOptions<Request> {
  /** The guard whose holds and revocations are administered (`aap.guard`). */
  readonly guard: Guard;
  /** Largest JSON (or console form) body accepted (default `16kb`). */
  readonly bodyLimit?: string | number | undefined;
}

/**
 * An Express router for holds and revocations: `GET /holds`, `GET /holds/:id`, `POST /holds/:id/approve`,
 * `POST /holds/:id/deny`, `GET /revocations`, `POST /revocations`, `GET /keys`, `POST /keys/distrust`, `POST
 * /keys/trust` — and, with `console`, the approval
 * console's pages under `/console`. Every request must pass your `authorize(req)`; without one, creating
 * the router throws `TypeError` (it refuses to mount). A router does not know where it is mounted: give
 * `console.url` for the approval links.
 *
 * @example
 * app.use('/aap-admin', aapAdmin({ guard: aap.guard, authorize: (req) => isAdmin(req), actor: (req) =>
 * req.get('x-admin-user'), console: { url: '/aap-admin' } }));
 */
export function aapAdmin(options: ExpressAdminOptions): Router {
  const routes = adminRoutes(options?.guard as Guard, options, 'aapAdmin');
  const limit = options.bodyLimit ?? '16kb';
  const router = express.Router();
  router.use(express.json({ limit }));
  router.use('/console', express.urlencoded({ extended: false, limit })); // the console's forms only
  router.use((req, res, next) => {
    const input = {
      method: req.method,
      path: req.path,
      query: req.query as Record<string, unknown>,
      body: req.body,
      headers: req.headers,
      mount: req.baseUrl,
      secure: req.secure,
    };
    routes(req, input)
      .then((reply) => write(res, reply))
      .catch(next);
  });
  // A malformed JSON body: a clear 400, never Express's HTML error page.
  router.use((error: { status?: number }, _req: Request, res: Response, _next: express.NextFunction) => {
    const status = typeof error?.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 400;
    res.status(status).set('cache-control', 'no-store').json({ error: 'invalid_request' });
  });
  return router;
}

function write(res: Response, reply: AdminHttpResponse): void {
  res.status(reply.status);
  for (const [name, value] of Object.entries(reply.headers)) res.setHeader(name, value);
  if (reply.text !== undefined) res.send(reply.text);
  else res.json(reply.json);
}
