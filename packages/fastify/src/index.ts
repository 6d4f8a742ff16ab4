/**
 * @aap-guard/fastify — Fastify 5 / 4 plugin of aap-guard: routes declare their AAP action in
 * `config.aap`; an `onRequest` hook checks each request; the principal is on `request.aap`.
 */
import './augment.js';
import { aapGuard } from './plugin.js';

export { aapGuard };
export type { AapFastifyOptions, AapRouteConfig, FastifyAdapterOptions } from './options.js';
export default aapGuard;
export { aapAdminPlugin, type FastifyAdminOptions } from './admin.js';
