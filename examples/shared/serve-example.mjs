// What the three example servers (examples/express, fastify, koa: server.mjs) share.
// Env: AAP_ISSUER, AAP_AUDIENCE, AAP_JWKS_URI (optional: discovered from the issuer), EXAMPLE_ADMIN_KEY
// (optional: enables /aap-admin), EXAMPLE_EVENTS_KEY (optional, Express: the bearer token an authorization server
// pushes revocation events to /aap-events with), PORT (default 3000; 0 = any free port), HOST (default 127.0.0.1).
// Without AAP_ISSUER: demo mode (a local issuer; demo tokens printed). Prints `listening on <url>`.
import { demoSetup, printDemo } from './demo-support.mjs';

/**
 * Start an example server, and stop it on SIGTERM or SIGINT. Exits 2 with a one-line message when it cannot start.
 * @param {string} name prefixes the messages, e.g. `example-express`
 * @param {(options: object | undefined, config: { adminKey?: string, eventsKey?: string, port: number, host: string })
 * => Promise<{ url: string, close: () => Promise<unknown> }>} start
 *   builds the app (`options` undefined: the adapter reads the environment) and listens
 */
export async function serveExample(name, start) {
  let server;
  let config;
  try {
    const demo = process.env.AAP_ISSUER ? undefined : await demoSetup();
    if (demo) printDemo(name, demo);
    config = {
      adminKey: demo?.adminKey ?? process.env.EXAMPLE_ADMIN_KEY,
      eventsKey: process.env.EXAMPLE_EVENTS_KEY,
      port: Number(process.env.PORT ?? 3000),
      host: process.env.HOST ?? '127.0.0.1',
    };
    server = await start(demo?.options, config);
  } catch (error) {
    console.error(`${name}: ${error.message}`);
    process.exit(2);
  }
  console.log(`listening on ${server.url}`);
  if (config.adminKey) console.log(`approval console: ${server.url}/aap-admin/console (sign in with the admin key)`);
  const stop = () => server.close().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/**
 * Listen with an app built as `{ app, guard }` whose `app.listen(port, host, callback)` is Node's (Express, Koa).
 * Closing stops the server, drops open connections, then closes the guard.
 * @param {{ app: { listen: Function }, guard: { close: () => Promise<void> } }} built
 * @param {{ port: number, host: string }} where
 */
export function listenNode({ app, guard }, { port, host }) {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, () => {
      const close = () =>
        new Promise((closed) => {
          server.close(() => guard.close().finally(closed));
          server.closeAllConnections?.();
        });
      resolve({ url: `http://${host}:${server.address().port}`, close });
    });
    server.once('error', reject);
  });
}
