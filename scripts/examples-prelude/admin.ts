/**
 * Free names of @aap-guard/admin's `@example` blocks (scripts/check-examples.mjs): a console page's
 * context, and the Express request, response and app the framework-free parts are shown with.
 */
import type { Express, Request, Response } from 'express';
import type { PageContext } from '../../packages/admin/src/console/layout.js';

/** What a console page is rendered for. */
export declare const page: PageContext;
export declare const req: Request;
export declare const res: Response;
export declare const app: Express;
