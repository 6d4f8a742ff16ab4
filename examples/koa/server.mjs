// Start the example API: `node examples/koa/server.mjs` (or `pnpm example:koa`).
// Env: AAP_ISSUER, AAP_AUDIENCE, AAP_JWKS_URI (optional: discovered from the issuer), PORT (default
// 3000; 0 = any free port), HOST (default 127.0.0.1). Prints `listening on <url>` when ready.
import { createApp } from './app.mjs';

let built;
try {
  built = createApp(); // options from AAP_ISSUER / AAP_AUDIENCE / AAP_JWKS_URI
} catch (error) {
  console.error(`example-koa: ${error.message}`);
  console.error('Set AAP_ISSUER and AAP_AUDIENCE (and AAP_JWKS_URI), e.g. AAP_ISSUER=https://as.example.com AAP_AUDIENCE=https://api.example.com');
  process.exit(2);
}

const host = process.env.HOST ?? '127.0.0.1';
const server = built.app.listen(Number(process.env.PORT ?? 3000), host, () => {
  const { port } = server.address();
  console.log(`listening on http://${host}:${port}`);
});

const stop = () => {
  server.close(() => built.guard.close().finally(() => process.exit(0)));
  server.closeAllConnections?.();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
