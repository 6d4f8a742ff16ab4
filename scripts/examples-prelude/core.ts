/**
 * Free names of @aap-guard/core's `@example` blocks (scripts/check-examples.mjs): a check's context, a
 * console page's context, and the Express request, response and app that the `@aap-guard/core/node`
 * helpers are shown with (an Express request is a Node `IncomingMessage`).
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Logger } from '@aap-guard/core';
import type { Express, NextFunction, Request, Response } from 'express';
import type { CheckContext } from '../../packages/core/src/checks/context.js';
import type { PageContext } from '../../packages/core/src/holds/console/layout.js';

/** The context a check receives. */
export declare const ctx: CheckContext;
/** What a console page is rendered for. */
export declare const page: PageContext;
export declare const req: Request;
export declare const res: Response;
export declare const next: NextFunction;
export declare const app: Express;
/** pino's default export, as far as the guard sees it: something that makes a `Logger`. */
export declare function pino(options?: { readonly level?: string }): Logger;
/** Your function that builds an MCP server offering these tools. */
export declare function createServer(tools: readonly string[]): McpServer;
