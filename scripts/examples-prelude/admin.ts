/**
 * Free names of @aap-guard/admin's `@example` blocks (scripts/check-examples.mjs): the Express request,
 * response and app the framework-free parts are shown with.
 */
import type { Express, Request, Response } from 'express';

export declare const req: Request;
export declare const res: Response;
export declare const app: Express;
