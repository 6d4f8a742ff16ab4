import { execFileSync } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import {
  createServer as createHttpServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type RequestListener,
  type Server,
} from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { createGuard, type Guard, type GuardOptions } from '@aap-guard/core';
import { aapGuard } from '@aap-guard/express';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import express from 'express';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

// Certificate-bound tokens (RFC 8705 §3) end to end: real certificates made by `openssl` for this run,
// a real HTTPS server asking for client certificates, and a real TLS-terminating proxy that forwards
// the certificate in an RFC 9440 `Client-Cert` header.

interface Pem {
  readonly key: string;
  readonly cert: string;
}
interface Reply {
  readonly status: number | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly body: { error?: string; reason?: string; agent?: string };
}

let dir: string;
let server: Pem;
let agentA: Pem;
let agentB: Pem;
let as: TestIssuer;
const servers: Server[] = [];
const guards: Guard[] = [];

/** A self-signed P-256 certificate made by openssl (the server's also names 127.0.0.1). */
function selfSigned(name: string, san?: string): Pem {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-keyout',
      key,
      '-out',
      cert,
      '-subj',
      `/CN=${name}`,
      ...(san ? ['-addext', `subjectAltName=${san}`] : []),
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
}

const der = (pem: Pem): Buffer => new X509Certificate(pem.cert).raw;
/** `x5t#S256` of a certificate: base64url SHA-256 of its DER (RFC 8705 §3.1), computed here independently. */
const x5t = (pem: Pem): string => createHash('sha256').update(der(pem)).digest('base64url');
/** RFC 9440 §2.2: the DER as an RFC 8941 byte sequence. */
const clientCertHeader = (pem: Pem): string => `:${der(pem).toString('base64')}:`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aap-mtls-'));
  server = selfSigned('127.0.0.1', 'IP:127.0.0.1');
  agentA = selfSigned('agent-a');
  agentB = selfSigned('agent-b');
  as = await createIssuer();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  await Promise.all(guards.splice(0).map((guard) => guard.close()));
});

/** The protected Express app: `GET /v1/search` declared as `search.web`. */
function app(options: Partial<GuardOptions> = {}): express.Express {
  const guard = createGuard({ issuer: as.issuer, audience: as.audience, jwks: as.jwks, ...options });
  guards.push(guard);
  const aap = aapGuard({ guard });
  const api = express();
  api.use(aap);
  api.get('/v1/search', aap.require('search.web'), (req, res) => {
    res.json({ agent: req.aap?.claims.agent.id });
  });
  return api;
}

async function listen(created: Server): Promise<number> {
  servers.push(created);
  created.listen(0, '127.0.0.1');
  await new Promise((resolve) => created.once('listening', resolve));
  return (created.address() as AddressInfo).port;
}

/** An HTTPS server that asks every client for a certificate; the binding, not a CA, decides (RFC 8705 §2.2). */
const httpsServer = (handler: RequestListener) =>
  createHttpsServer({ key: server.key, cert: server.cert, requestCert: true, rejectUnauthorized: false }, handler);

/** One request on a fresh connection (`agent: false`), over TLS with `client` as the certificate, or plain HTTP. */
function call(
  port: number,
  options: {
    token: string;
    client?: Pem | undefined;
    tls?: boolean;
    headers?: Record<string, string>;
    localAddress?: string;
  },
): Promise<Reply> {
  const { token, client, tls = true, headers = {}, localAddress } = options;
  const common = {
    host: '127.0.0.1',
    port,
    path: '/v1/search',
    agent: false as const,
    localAddress,
    headers: { authorization: `Bearer ${token}`, ...headers },
  };
  return new Promise((resolve, reject) => {
    const onResponse = (res: IncomingMessage) => {
      const parts: Buffer[] = [];
      res.on('data', (chunk: Buffer) => parts.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode,
          headers: res.headers,
          body: JSON.parse(Buffer.concat(parts).toString() || '{}'),
        }),
      );
    };
    const req = tls
      ? httpsRequest(
          { ...common, ca: server.cert, ...(client ? { key: client.key, cert: client.cert } : {}) },
          onResponse,
        )
      : httpRequest(common, onResponse);
    req.on('error', reject);
    req.end();
  });
}

/**
 * A TLS-terminating reverse proxy (as nginx or Envoy would be): it asks for the client certificate,
 * drops any `Client-Cert` the client sent, and forwards the certificate it verified per RFC 9440.
 */
async function proxy(backendPort: number): Promise<number> {
  return listen(
    httpsServer((req, res) => {
      const headers = { ...req.headers };
      delete headers['client-cert'];
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      if (peer?.raw) headers['client-cert'] = `:${peer.raw.toString('base64')}:`;
      const upstream = httpRequest(
        { host: '127.0.0.1', port: backendPort, path: req.url, method: req.method, headers, agent: false },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    }),
  );
}

describe('mTLS certificate-bound tokens (RFC 8705) on a real HTTPS server', () => {
  it('accepts the bound certificate, refuses another one or none', async () => {
    const port = await listen(httpsServer(app()));
    const token = await as.mint({ agentId: 'agent-a', claims: { cnf: { 'x5t#S256': x5t(agentA) } } });

    const right = await call(port, { token, client: agentA });
    expect([right.status, right.body]).toEqual([200, { agent: 'agent-a' }]);

    const other = await call(port, { token, client: agentB });
    expect([other.status, other.body.error, other.body.reason]).toEqual([
      401,
      'invalid_token',
      'mtls_certificate_mismatch',
    ]);
    expect(other.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);

    const none = await call(port, { token });
    expect([none.status, none.body.reason]).toEqual([401, 'mtls_certificate_missing']);
  });

  it('a token that is not certificate-bound needs no certificate', async () => {
    const port = await listen(httpsServer(app()));
    expect((await call(port, { token: await as.mint() })).status).toBe(200);
  });

  it('ignores a Client-Cert header from a peer that is not a trusted proxy', async () => {
    const port = await listen(httpsServer(app()));
    const token = await as.mint({ claims: { cnf: { 'x5t#S256': x5t(agentA) } } });
    // the client holds B's key but claims A's certificate in the header: the TLS certificate counts
    const forged = await call(port, { token, client: agentB, headers: { 'client-cert': clientCertHeader(agentA) } });
    expect([forged.status, forged.body.reason]).toEqual([401, 'mtls_certificate_mismatch']);
  });
});

describe('mTLS behind a TLS-terminating proxy (RFC 9440 Client-Cert)', () => {
  it('honours the header set by a trusted proxy', async () => {
    const backend = await listen(createHttpServer(app({ trustProxy: ['127.0.0.1'] })));
    const front = await proxy(backend);
    const token = await as.mint({ agentId: 'agent-a', claims: { cnf: { 'x5t#S256': x5t(agentA) } } });

    expect(await call(front, { token, client: agentA })).toMatchObject({ status: 200, body: { agent: 'agent-a' } });
    expect((await call(front, { token, client: agentB })).body.reason).toBe('mtls_certificate_mismatch');
    expect((await call(front, { token })).body.reason).toBe('mtls_certificate_missing');
    // a malformed header, even from the trusted proxy, is not a certificate
    const malformed = await call(backend, { token, tls: false, headers: { 'client-cert': 'not-a-byte-sequence' } });
    expect([malformed.status, malformed.body.reason]).toEqual([401, 'mtls_certificate_missing']);
  });

  it('ignores the header from any other peer', async () => {
    const token = await as.mint({ claims: { cnf: { 'x5t#S256': x5t(agentA) } } });
    const headers = { 'client-cert': clientCertHeader(agentA) };
    const backend = await listen(createHttpServer(app({ trustProxy: ['127.0.0.1'] })));
    // the same header straight from 127.0.0.2, which is not the trusted proxy
    const direct = await call(backend, { token, tls: false, headers, localAddress: '127.0.0.2' });
    expect([direct.status, direct.body.reason]).toEqual([401, 'mtls_certificate_missing']);
    // and from 127.0.0.1 to a guard that trusts no proxy
    const untrusting = await listen(createHttpServer(app()));
    expect((await call(untrusting, { token, tls: false, headers })).body.reason).toBe('mtls_certificate_missing');
    // the control: the trusted peer with the same header is accepted
    expect((await call(backend, { token, tls: false, headers })).status).toBe(200);
  });
});
