/**
 * Free names of @aap-guard/mcp's `@example` blocks (scripts/check-examples.mjs): the Express app, request
 * and response an MCP endpoint is shown with, and the app's own MCP server factory.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Express, Request, Response } from 'express';

export declare const req: Request;
export declare const res: Response;
export declare const app: Express;
/** Your function that builds an MCP server offering these tools. */
export declare function createServer(tools: readonly string[]): McpServer;
