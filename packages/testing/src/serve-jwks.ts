import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** How the server misbehaves, to exercise an RS's handling of a broken authorization server. */
export type JwksFailure =
  /** 200 with an HTML page (a login page, a proxy's error page…) instead of JSON. */
  | 'html'
  /** HTTP 500. */
  | 'error'
  /** 200 JSON that is not a key set (`{"keys":"nope"}`). */
  | 'not-jwks';

/** Options of `serveJwks()`. */
export interface ServeJwksOptions {
  /** The `issuer` its metadata names (default: the server's own base URL). */
  readonly issuer?: string | undefined;
  /** `Cache-Control` header of JWKS responses (default none). */
  readonly cacheControl?: string | undefined;
  /** The port to listen on, on 127.0.0.1 (default 0: any free port). */
  readonly port?: number | undefined;
}

/** A running local JWKS / RFC 8414 metadata server. */
export interface JwksServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. Use it as the issuer to exercise discovery. */
  readonly url: string;
  /** The JWKS URI. */
  readonly jwksUri: string;
  /** How many times the JWKS was fetched. */
  readonly fetches: number;
  /** How many times the metadata was fetched. */
  readonly metadataFetches: number;
  /** Replace the served key set (key rotation). */
  setKeys(jwks: { keys: readonly object[] }): void;
  /** Set the JWKS `Cache-Control` header (`undefined`: none). */
  setCacheControl(value: string | undefined): void;
  /** Make the JWKS (`jwks`) or the metadata (`metadata`) misbehave; `undefined` heals it. */
  fail(failure: JwksFailure | undefined, what?: 'jwks' | 'metadata'): void;
  /** Stop listening (connections refused) until `start()`; the port is kept. */
  stop(): Promise<void>;
  /** Listen again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

const FAILURES: Readonly<Record<JwksFailure, (res: ServerResponse) => void>> = {
  html: (res) => void res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Sign in</title>'),
  error: (res) => void res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error'),
  'not-jwks': (res) => void res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":"nope"}'),
};

/**
 * Serve a JWKS at `/jwks` and RFC 8414 metadata at `/.well-known/oauth-authorization-server` on loopback.
 *
 * @example
 * const as = await createIssuer({ issuer: 'http://127.0.0.1' });
 * const server = await serveJwks(as.jwks, { cacheControl: 'max-age=600' });
 * server.fail('html'); // the JWKS now answers an HTML page
 */
export async function serveJwks(
  jwks: { keys: readonly object[] },
  options: ServeJwksOptions = {},
): Promise<JwksServer> {
  const state = { keys: jwks, fetches: 0, metadataFetches: 0, cacheControl: options.cacheControl, base: '' };
  const failures: { jwks?: JwksFailure | undefined; metadata?: JwksFailure | undefined } = {};
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const json = (body: unknown, headers: Record<string, string> = {}) =>
      void res.writeHead(200, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    if (req.url === '/jwks') {
      state.fetches += 1;
      if (failures.jwks) return FAILURES[failures.jwks](res);
      return json(state.keys, state.cacheControl === undefined ? {} : { 'cache-control': state.cacheControl });
    }
    if (req.url === '/.well-known/oauth-authorization-server' || req.url === '/.well-known/openid-configuration') {
      state.metadataFetches += 1;
      if (failures.metadata) return FAILURES[failures.metadata](res);
      return json({ issuer: options.issuer ?? state.base, jwks_uri: `${state.base}/jwks` });
    }
    res.writeHead(404).end();
  };
  const listener = await listening(handle, options.port ?? 0);
  state.base = `http://127.0.0.1:${listener.port}`;
  let current: Listening | undefined = listener;
  const stop = async () => {
    await current?.close();
    current = undefined;
  };
  return {
    url: state.base,
    jwksUri: `${state.base}/jwks`,
    get fetches() {
      return state.fetches;
    },
    get metadataFetches() {
      return state.metadataFetches;
    },
    setKeys: (next) => void (state.keys = next),
    setCacheControl: (value) => void (state.cacheControl = value),
    fail: (failure, what = 'jwks') => void (failures[what] = failure),
    stop,
    async start() {
      current ??= await listening(handle, listener.port);
    },
    close: stop,
  };
}

interface Listening {
  readonly port: number;
  close(): Promise<void>;
}

/** Listen on 127.0.0.1 (`port` 0: any free port); `close()` also drops open keep-alive connections. */
async function listening(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
  port: number,
): Promise<Listening> {
  const server: Server = createServer(handle);
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
