/**
 * @aap-guard/koa — Koa 3 / 2 adapter of aap-guard: `app.use(aap)` authenticates,
 * `aap.require(action)` authorizes a route (with @koa/router); the principal is on `ctx.state.aap`.
 */
import './augment.js';
export { aapGuard, type AapKoaMiddleware } from './aap-guard.js';
export type { RouterLike } from './declared-routes.js';
export type { AapKoaOptions, KoaAdapterOptions, RequireOptions } from './options.js';
export { aapAdmin, type KoaAdminOptions } from './admin.js';
