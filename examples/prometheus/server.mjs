// Start the example: `npm run example:prometheus` (after `npm run setup`), then `curl 127.0.0.1:3000/metrics`.
// Environment and demo mode: see ../shared/serve-example.mjs.
import { createApp } from './app.mjs';
import { aapMetrics } from './metrics.mjs';
import { listenNode, serveExample } from '../shared/serve-example.mjs';

const { registry } = aapMetrics(); // counts the decisions of every guard in this process
await serveExample('example-prometheus', async (options, config) =>
  listenNode(createApp(options, { registry }), config),
);
