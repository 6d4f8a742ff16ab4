/**
 * @aap-guard/koa — Koa 3 / 2 adapter of aap-guard: `app.use(aap)` authenticates,
 * `aap.require(action)` authorizes a route (with @koa/router), `aap.public()` opts one out;
 * the principal is on `ctx.state.aap`.
 */
import './augment.js';
export { aapGuard, type AapKoaMiddleware } from './aap-guard.js';
export { principalOf } from './principal.js';
export type { RouterLike, RouteReport } from './declared-routes.js';
export type { AapKoaOptions, RequireOptions } from './options.js';
export { aapEvents, type KoaEventsOptions } from './events.js';
export { aapAdmin, type KoaAdminOptions } from './deprecated.js';
export { AapDenyError, type DenyFormatter } from '@aap-guard/core/node';
