// Start the example API: `npm run example:express` (after `npm run setup`).
// Environment and demo mode: see ../shared/serve-example.mjs.
import { createApp } from './app.mjs';
import { listenNode, serveExample } from '../shared/serve-example.mjs';

await serveExample('example-express', async (options, config) => listenNode(createApp(options, config), config));
