// Start the MCP example: `npm run example:mcp` (after `npm run setup`); the endpoint is <url>/mcp.
// Environment and demo mode: see ../shared/serve-example.mjs.
import { createApp } from './app.mjs';
import { listenNode, serveExample } from '../shared/serve-example.mjs';

await serveExample('example-mcp', async (options, config) => listenNode(createApp(options, config), config));
