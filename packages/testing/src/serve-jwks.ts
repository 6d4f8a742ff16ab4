import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running local JWKS / RFC 8414 metadata server. */
export interface JwksServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. Use it as the issuer to exercise discovery. */
  readonly url: string;
  /** The JWKS URI. */
  readonly jwksUri: string;
  /** How many times the JWKS was fetched. */
  readonly fetches: number;
  /** Replace the served key set (key rotation). */
  setKeys(jwks: { keys: readonly object[] }): void;
  close(): Promise<void>;
}

/**
 * Serve a JWKS at `/jwks` and RFC 8414 metadata at `/.well-known/oauth-authorization-server` on loopback.
 *
 * @example
 * const as = await createIssuer({ issuer: 'http://127.0.0.1' });
 * const server = await serveJwks(as.jwks);
 */
export async function serveJwks(jwks: { keys: readonly object[] }, options: { issuer?: string } = {}): Promise<JwksServer> {
  let keys = jwks;
  let fetches = 0;
  let base = '';
  const server: Server = createServer((req, res) => {
    const json = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.url === '/jwks') {
      fetches += 1;
      return json(keys);
    }
    if (req.url === '/.well-known/oauth-authorization-server' || req.url === '/.well-known/openid-configuration') {
      return json({ issuer: options.issuer ?? base, jwks_uri: `${base}/jwks` });
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    jwksUri: `${base}/jwks`,
    get fetches() {
      return fetches;
    },
    setKeys(next) {
      keys = next;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
