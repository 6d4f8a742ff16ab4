import { aapAdmin as admin, type KoaAdminOptions as AdminOptions } from '@aap-guard/admin/koa';

// Kept for one minor version: the admin middleware lives in `@aap-guard/admin` with the approval console.

/** @deprecated Moved: `import { aapAdmin } from '@aap-guard/admin/koa'`. Removed in 0.3. */
export const aapAdmin: typeof admin = admin;
/** @deprecated Moved: `KoaAdminOptions` of `@aap-guard/admin/koa`. Removed in 0.3. */
export type KoaAdminOptions = AdminOptions;
