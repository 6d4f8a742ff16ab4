import { parseArgs } from 'node:util';
import { serveJwks, type JwksServer } from '../serve-jwks.js';
import { parsed, port, UsageError } from './args.js';
import { DEV_AUDIENCE, DEV_PORT, openDevStore, savedIssuer } from './dev-store.js';
import type { CliIo } from './io.js';
import { createdNotice, envLine } from './messages.js';

const OPTIONS = { port: { type: 'string' }, dir: { type: 'string' } } as const;

/**
 * `aap-guard dev-issuer [--port N]`: serve the development issuer's RFC 8414 metadata and JWKS on
 * 127.0.0.1 until interrupted (the issuer identifier is its URL, so `AAP_ISSUER` alone finds the keys).
 * The port is fixed when the issuer is created (default 4455; `--port 0`: any free one) and kept in
 * `.aap-dev/issuer.json`. Prints `… listening <url>` and the environment that makes `aapGuard()` trust it.
 *
 * @example
 * process.exitCode = await devIssuer(['--port', '4455'], { ...io, signal: controller.signal });
 */
export async function devIssuer(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parsed(() => parseArgs({ args: [...args], options: OPTIONS, strict: true }));
  const dir = values.dir ?? '.aap-dev';
  const requested = values.port === undefined ? undefined : port(values.port, '--port');
  const existing = savedIssuer(io.cwd, dir);
  const existingPort = existing === undefined ? undefined : Number(new URL(existing).port);
  if (existingPort !== undefined && requested !== undefined && requested !== 0 && requested !== existingPort) {
    throw new UsageError(
      `${dir}/ holds the issuer ${existing}: its port is ${existingPort} ` +
        `(remove ${dir}/ to start over on another port)`,
    );
  }
  const server = await listen(existingPort ?? requested ?? DEV_PORT, existing, dir);
  try {
    const store = await openDevStore(io.cwd, dir, Number(new URL(server.url).port));
    if (store.issuer !== server.url) throw new Error(`${dir}/ holds the issuer ${store.issuer}, not ${server.url}`);
    server.setKeys(store.jwks);
    if (store.created) io.stderr.write(createdNotice(store));
    io.stdout.write(
      `aap-guard DEVELOPMENT issuer listening ${server.url} ` +
        `(key: ${store.dir}/issuer.json; never trust it outside your machine)\n` +
        `  metadata ${server.url}/.well-known/oauth-authorization-server\n  keys     ${server.jwksUri}\n` +
        `Start your API with:\n  ${envLine({ AAP_ISSUER: store.issuer, AAP_AUDIENCE: DEV_AUDIENCE })}\n` +
        'Get a token:\n  npx aap-guard dev-token --action search.web\n',
    );
    await aborted(io.signal);
  } finally {
    await server.close();
  }
  return 0;
}

async function listen(at: number, existing: string | undefined, dir: string): Promise<JwksServer> {
  try {
    return await serveJwks({ keys: [] }, { port: at });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    const why = existing
      ? `the issuer in ${dir}/ is ${existing}: free the port, or remove ${dir}/ to start over on another`
      : 'pass --port <n>';
    throw new Error(`127.0.0.1:${at} is in use (${why})`, { cause: error });
  }
}

/** Resolves when `signal` aborts (never without one). */
function aborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    signal?.addEventListener('abort', () => resolve(), { once: true });
  });
}
