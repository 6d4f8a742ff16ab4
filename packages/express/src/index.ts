/**
 * @aap-guard/express — Express 5 / 4 adapter of aap-guard: `app.use(aap)` authenticates,
 * `aap.require(action)` authorizes a route, `aap.public()` opts one out; the principal is on `req.aap`.
 */
import './augment.js';
export { aapGuard, type AapMiddleware } from './aap-guard.js';
export { principalOf } from './principal.js';
export type { AapExpressOptions, ExpressAdapterOptions, RequireOptions } from './options.js';
export type { RouteReport } from './declared-routes.js';
export { aapEvents, type ExpressEventsOptions } from './events.js';
export { aapAdminRouter, aapEventsRouter, type AdminRouterOptions, type EventsRouterOptions } from './deprecated.js';
export { AapDenyError, type DenyFormatter } from '@aap-guard/core/node';
