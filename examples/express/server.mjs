// Start the example API: `npm run example:express` (after `npm run setup`).
// Env: AAP_ISSUER, AAP_AUDIENCE, AAP_JWKS_URI (optional: discovered from the issuer), AAP_ADMIN_KEY
// (optional: enables /aap-admin), PORT (default 3000; 0 = any free port), HOST (default 127.0.0.1).
// Without AAP_ISSUER: demo mode (a local issuer; demo tokens printed). Prints `listening on <url>`.
import { createApp } from './app.mjs';
import { demoSetup, printDemo } from '../shared/demo-support.mjs';

let built;
try {
  const demo = process.env.AAP_ISSUER ? undefined : await demoSetup();
  if (demo) printDemo('example-express', demo);
  built = createApp(demo?.options, { adminKey: demo?.adminKey ?? process.env.AAP_ADMIN_KEY });
} catch (error) {
  console.error(`example-express: ${error.message}`);
  process.exit(2);
}

const host = process.env.HOST ?? '127.0.0.1';
const server = built.app.listen(Number(process.env.PORT ?? 3000), host, () => {
  console.log(`listening on http://${host}:${server.address().port}`);
});

const stop = () => {
  server.close(() => built.guard.close().finally(() => process.exit(0)));
  server.closeAllConnections?.();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
