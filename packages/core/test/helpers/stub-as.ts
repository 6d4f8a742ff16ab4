/**
 * A small authorization server on loopback for the introspection and security-event tests: RFC 8414
 * metadata, a JWKS, an RFC 7662 introspection endpoint answering from a table (or misbehaving on demand),
 * and capability sets by reference. Every request is recorded (headers and form) for the client
 * authentication tests.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { SignJWT } from 'jose';
import type { TestIssuer } from '@aap-guard/testing';

/** How the introspection endpoint misbehaves. */
export type Misbehaviour = 'html' | 'no-active' | 'error' | 'unauthorized' | { readonly slowMs: number } | undefined;

/** One introspection request as received. */
export interface Received {
  readonly headers: IncomingMessage['headers'];
  readonly form: URLSearchParams;
}

export interface StubAs {
  readonly url: string;
  /** The answer for each token (absent: `{ active: false }`). */
  readonly answers: Map<string, Record<string, unknown>>;
  /** Every introspection request, in order. */
  readonly received: Received[];
  /** Capability sets served under `/capability-sets/<name>`. */
  readonly sets: Map<string, unknown>;
  /** How many times each capability set was fetched. */
  readonly setFetches: Map<string, number>;
  misbehave(how: Misbehaviour): void;
  /**
   * Answer RFC 9701 JWTs (signed with `signer`'s key; `forge` signs with `forgeWith` instead) to requests asking for
   * them.
   */
  signAnswers(signer: TestIssuer | undefined, audience?: string): void;
  stop(): Promise<void>;
}

/**
 * Start the stub. `issuer` is its `issuer` in metadata (default: its own URL).
 *
 * @example
 * const as = await stubAs();
 * as.answers.set('opaque-1', { active: true, ... });
 */
export async function stubAs(options: { issuer?: string; jwks?: { keys: readonly object[] } } = {}): Promise<StubAs> {
  let misbehaviour: Misbehaviour;
  let signer: { issuer: TestIssuer; audience: string } | undefined;
  const answers = new Map<string, Record<string, unknown>>();
  const received: Received[] = [];
  const sets = new Map<string, unknown>();
  const setFetches = new Map<string, number>();
  let base = '';
  const json = (res: ServerResponse, body: unknown, status = 200, headers: Record<string, string> = {}) =>
    void res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

  const introspect = async (req: IncomingMessage, res: ServerResponse, form: URLSearchParams) => {
    received.push({ headers: req.headers, form });
    const how = misbehaviour;
    if (how === 'html')
      return void res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Sign in</title>');
    if (how === 'no-active') return json(res, { scope: 'x' });
    if (how === 'error') return json(res, { error: 'server_error' }, 500);
    if (how === 'unauthorized') return json(res, { error: 'invalid_client' }, 401);
    if (typeof how === 'object') await new Promise((resolve) => setTimeout(resolve, how.slowMs));
    const answer = answers.get(form.get('token') ?? '') ?? { active: false };
    if (signer && String(req.headers.accept).includes('application/token-introspection+jwt')) {
      const jwt = await new SignJWT({ token_introspection: answer })
        .setProtectedHeader({ alg: signer.issuer.alg, kid: signer.issuer.kid, typ: 'token-introspection+jwt' })
        .setIssuer(signer.issuer.issuer)
        .setAudience(signer.audience)
        .setIssuedAt()
        .sign(signer.issuer.privateKey);
      return void res.writeHead(200, { 'content-type': 'application/token-introspection+jwt' }).end(jwt);
    }
    return json(res, answer);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/.well-known/oauth-authorization-server') {
      return json(res, {
        issuer: options.issuer ?? base,
        jwks_uri: `${base}/jwks`,
        introspection_endpoint: `${base}/introspect`,
      });
    }
    if (path === '/jwks') return json(res, options.jwks ?? { keys: [] });
    if (path === '/introspect' && req.method === 'POST')
      return introspect(req, res, new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    const set = /^\/capability-sets\/(.+)$/.exec(path)?.[1];
    if (set !== undefined && sets.has(set)) {
      setFetches.set(set, (setFetches.get(set) ?? 0) + 1);
      return json(res, sets.get(set), 200, { 'cache-control': 'max-age=600' });
    }
    res.writeHead(404).end();
  };

  const server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    answers,
    received,
    sets,
    setFetches,
    misbehave: (how) => void (misbehaviour = how),
    signAnswers: (issuer, audience = 'https://api.example.com') => void (signer = issuer && { issuer, audience }),
    stop: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
