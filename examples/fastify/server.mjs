// Start the example API: `npm run example:fastify` (after `npm run setup`).
// Environment and demo mode: see ../shared/serve-example.mjs.
import { createApp } from './app.mjs';
import { serveExample } from '../shared/serve-example.mjs';

await serveExample('example-fastify', async (options, { adminKey, port, host }) => {
  const app = await createApp(options, { adminKey });
  // closing the app closes the guard the plugin created
  return { url: await app.listen({ port, host }), close: () => app.close() };
});
