import { aapAdmin, type ExpressAdminOptions } from '@aap-guard/admin/express';
import { aapEvents, type ExpressEventsOptions } from './events.js';

// Names of 0.1, kept for one minor version: every adapter now names its routers alike (`aapAdmin`,
// `aapEvents`), and the admin router lives in `@aap-guard/admin` with the approval console.

/** @deprecated Moved: `import { aapAdmin } from '@aap-guard/admin/express'`. Removed in 0.3. */
export const aapAdminRouter: typeof aapAdmin = aapAdmin;
/** @deprecated Moved: `ExpressAdminOptions` of `@aap-guard/admin/express`. Removed in 0.3. */
export type AdminRouterOptions = ExpressAdminOptions;
/** @deprecated Renamed `aapEvents` (the same name on every adapter). Removed in 0.3. */
export const aapEventsRouter: typeof aapEvents = aapEvents;
/** @deprecated Renamed `ExpressEventsOptions`. Removed in 0.3. */
export type EventsRouterOptions = ExpressEventsOptions;
