// Start the example API: `npm run example:fastify` (after `npm run setup`).
// Env: AAP_ISSUER, AAP_AUDIENCE, AAP_JWKS_URI (optional: discovered from the issuer), AAP_ADMIN_KEY
// (optional: enables /aap-admin), PORT (default 3000; 0 = any free port), HOST (default 127.0.0.1).
// Without AAP_ISSUER: demo mode (a local issuer; demo tokens printed). Prints `listening on <url>`.
import { demoSetup, printDemo } from '../shared/demo-support.mjs';
import { createApp } from './app.mjs';

let app;
try {
  const demo = process.env.AAP_ISSUER ? undefined : await demoSetup();
  if (demo) printDemo('example-fastify', demo);
  app = await createApp(demo?.options, { adminKey: demo?.adminKey ?? process.env.AAP_ADMIN_KEY });
} catch (error) {
  console.error(`example-fastify: ${error.message}`);
  process.exit(2);
}

const host = process.env.HOST ?? '127.0.0.1';
const address = await app.listen({ port: Number(process.env.PORT ?? 3000), host });
console.log(`listening on ${address}`);

const stop = () => {
  app.close().finally(() => process.exit(0)); // closes the guard too (the plugin created it)
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
