// Start the example authorization server: `npm run example:authorization-server`.
// Env: PORT (default 4000; 0 = any free port), HOST (default 127.0.0.1), AS_AUDIENCE (the API's identifier,
// default https://api.example.com), AS_ADMIN_KEY (enables POST /admin/revocations), AS_RS_SECRET (registers
// the resource server as client `aap-api` for introspection), AS_PUSH_URL and AS_PUSH_TOKEN (where revocation
// events are pushed, e.g. http://127.0.0.1:3000/aap-events). Prints `issuer <url>` once it listens.
import { createAuthorizationServer } from './as.mjs';

const env = process.env;
const as = await createAuthorizationServer({
  port: Number(env.PORT ?? 4000),
  host: env.HOST ?? '127.0.0.1',
  audience: env.AS_AUDIENCE,
  adminKey: env.AS_ADMIN_KEY,
  resourceServers: env.AS_RS_SECRET ? [{ clientId: 'aap-api', secret: env.AS_RS_SECRET }] : [],
});
if (env.AS_PUSH_URL) as.addReceiver({ url: env.AS_PUSH_URL, token: env.AS_PUSH_TOKEN });
console.log(`issuer ${as.issuer}`);
const stop = () => as.close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
