/**
 * @aap-guard/admin — the admin API (holds and revocations as JSON) and the approval console of aap-guard,
 * framework-free: `adminRoutes(guard, options)` answers a request given as plain data. The entries
 * `@aap-guard/admin/express`, `/fastify` and `/koa` mount them in each framework (`aapAdmin()`). Built on
 * the public API of `@aap-guard/core` only: `guard.holds`, `guard.revoke()`, `guard.revocations`,
 * `guard.now()`, `guard.publicUrl` and `guard.holds.linkApprovals()`.
 */
export { adminApi, type AdminOptions, type AdminRequest, type AdminResponse } from './admin-api.js';
export { adminRoutes, type AdminRoutes, type AdminRoutesOptions } from './admin-routes.js';
export type { AdminHttpRequest, AdminHttpResponse } from './console/reply.js';
export type { ConsoleOptions } from './console/options.js';
export { consoleSignIn, type ConsoleSignIn, type ConsoleSignInOptions } from './console/sign-in.js';
export { consoleUrl } from './console-url.js';
