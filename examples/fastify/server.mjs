// Start the example API: `node examples/fastify/server.mjs` (or `pnpm example:fastify`).
// Env: AAP_ISSUER, AAP_AUDIENCE, AAP_JWKS_URI (optional: discovered from the issuer), PORT (default
// 3000; 0 = any free port), HOST (default 127.0.0.1). Prints `listening on <url>` when ready.
import { createApp } from './app.mjs';

let app;
try {
  app = await createApp(); // options from AAP_ISSUER / AAP_AUDIENCE / AAP_JWKS_URI
} catch (error) {
  console.error(`example-fastify: ${error.message}`);
  console.error('Set AAP_ISSUER and AAP_AUDIENCE (and AAP_JWKS_URI), e.g. AAP_ISSUER=https://as.example.com AAP_AUDIENCE=https://api.example.com');
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
