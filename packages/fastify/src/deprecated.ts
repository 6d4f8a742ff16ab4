import { aapAdmin, type FastifyAdminOptions as AdminOptions } from '@aap-guard/admin/fastify';
import { aapEvents } from './events.js';

// Names of 0.1, kept for one minor version: every adapter now names its plugins alike (`aapAdmin`,
// `aapEvents`), and the admin plugin lives in `@aap-guard/admin` with the approval console.

/** @deprecated Moved: `import { aapAdmin } from '@aap-guard/admin/fastify'`. Removed in 0.3. */
export const aapAdminPlugin: typeof aapAdmin = aapAdmin;
/** @deprecated Moved: `FastifyAdminOptions` of `@aap-guard/admin/fastify`. Removed in 0.3. */
export type FastifyAdminOptions = AdminOptions;
/** @deprecated Renamed `aapEvents` (the same name on every adapter). Removed in 0.3. */
export const aapEventsPlugin: typeof aapEvents = aapEvents;
