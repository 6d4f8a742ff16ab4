/**
 * Free names of @aap-guard/core's `@example` blocks (scripts/check-examples.mjs): a check's context, the
 * guard's settings, and the Express request, response and app that the `@aap-guard/core/node` helpers
 * are shown with (an Express request is a Node `IncomingMessage`).
 */
import type { Logger } from '@aap-guard/core';
import type { Express, NextFunction, Request, Response } from 'express';
import type { CheckContext } from '../../packages/core/src/checks/context.js';
import type { GuardSettings } from '../../packages/core/src/options/resolve.js';

/** The context a check receives. */
export declare const ctx: CheckContext;
/** A guard's settings: its options validated once, frozen (internal helpers take them, or the part they need). */
export declare const guardSettings: GuardSettings;
export declare const req: Request;
export declare const res: Response;
export declare const next: NextFunction;
export declare const app: Express;
/** pino's default export, as far as the guard sees it: something that makes a `Logger`. */
export declare function pino(options?: { readonly level?: string }): Logger;
