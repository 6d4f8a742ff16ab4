/**
 * @aap-guard/fastify — Fastify 5 / 4 plugin of aap-guard: routes declare their AAP action in
 * `config.aap`; an `onRequest` hook checks each request; the principal is on `request.aap`.
 */
import './augment.js';
import { aapGuard } from './aap-guard.js';

export { aapGuard };
export default aapGuard;
export { principalOf } from './principal.js';
export type { AapFastifyOptions, AapRouteConfig } from './options.js';
export type { RouteReport } from './declared-routes.js';
export type { AapDecoration, AapHealth } from './augment.js';
export { aapEvents, type FastifyEventsOptions } from './events.js';
export { aapAdminPlugin, aapEventsPlugin, type FastifyAdminOptions } from './deprecated.js';
export { AapDenyError, type DenyFormatter } from '@aap-guard/core/node';
