/** Free names of @aap-guard/express's `@example` blocks (scripts/check-examples.mjs). */
import type { AapMiddleware } from '@aap-guard/express';
import type { Express, NextFunction, Request, Response } from 'express';

export declare const app: Express;
export declare const req: Request;
export declare const res: Response;
export declare const next: NextFunction;
/** `aapGuard(options)` */
export declare const aap: AapMiddleware;
