import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createTlsServer, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { createGuard, type AuditEvent, type Decision, type ResponseLimits } from '@aap-guard/core';
import { writeDeny } from '@aap-guard/core/node';
import { tapBody } from '../../../src/surfaces/node/body.js';
import { enforceLimits } from '../../../src/surfaces/node/enforce-limits.js';
import { nodeRequestInfo } from '../../../src/surfaces/node/request-info.js';
import { createIssuer } from '@aap-guard/testing';
import { engineOf } from '../../../src/engine/registry.js';
import { afterEach, describe, expect, it } from 'vitest';

// The Node HTTP helpers every adapter shares, exercised through real node:http servers with a
// Decision built by hand (its limits are what the capability constraints produce in the core).

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Send a raw request; resolve with status, headers and body, or with the error that ended it. */
function send(
  port: number,
  options: { path?: string; headers?: Record<string, string | string[]>; chunks?: Buffer[] },
) {
  return new Promise<{ status?: number; headers?: IncomingMessage['headers']; body: Buffer; error?: string }>(
    (resolve) => {
      const parts: Buffer[] = [];
      let status: number | undefined;
      let headers: IncomingMessage['headers'] | undefined;
      const req = httpRequest(
        { host: '127.0.0.1', port, method: 'POST', path: options.path ?? '/', headers: options.headers },
        (res) => {
          status = res.statusCode;
          headers = res.headers;
          res.on('data', (chunk: Buffer) => parts.push(chunk));
          res.on('end', () => resolve({ status, headers, body: Buffer.concat(parts) }));
          res.on('error', (e) => resolve({ status, headers, body: Buffer.concat(parts), error: e.message }));
          res.on('aborted', () => resolve({ status, headers, body: Buffer.concat(parts), error: 'aborted' }));
        },
      );
      req.on('error', (e) => resolve({ status, headers, body: Buffer.concat(parts), error: e.message }));
      for (const chunk of options.chunks ?? []) req.write(chunk);
      req.end();
    },
  );
}

async function guardWithEvents() {
  const as = await createIssuer();
  const events: AuditEvent[] = [];
  const guard = createGuard({ issuer: as.issuer, audience: as.audience, jwks: as.jwks, audit: (e) => events.push(e) });
  return { guard, events };
}

const allowWith = (limits: ResponseLimits): Decision => ({
  allowed: true,
  status: 200,
  headers: {},
  limits,
  audit: {
    time: new Date(0).toISOString(),
    decision: 'allow',
    status: 200,
    method: 'POST',
    path: '/',
    latencyMs: 0,
    jti: 'jti-1',
  },
});

describe('nodeRequestInfo', () => {
  it('builds an absolute URL, distinct headers and the peer address', async () => {
    let seen: ReturnType<typeof nodeRequestInfo> | undefined;
    const port = await listen(
      createServer((req, res) => {
        seen = nodeRequestInfo(req);
        req.resume().on('end', () => res.end());
      }),
    );
    await send(port, {
      path: '/v1/search?q=x',
      headers: { host: 'api.example.com', authorization: ['Bearer a', 'Bearer b'], 'content-length': '3' },
      chunks: [Buffer.from('abc')],
    });
    expect(seen).toMatchObject({
      method: 'POST',
      url: 'http://api.example.com/v1/search?q=x',
      clientIp: '127.0.0.1',
      secure: false,
    });
    expect(seen?.headers.authorization).toEqual(['Bearer a', 'Bearer b']);
    expect(seen?.clientCertificate).toBeUndefined();
  });

  it('falls back to the local address when Host is unusable', async () => {
    let seen: ReturnType<typeof nodeRequestInfo> | undefined;
    const port = await listen(
      createServer((req, res) => {
        seen = nodeRequestInfo(req, { target: 'https://en.wikipedia.org/' });
        req.resume().on('end', () => res.end());
      }),
    );
    await send(port, { path: '/p', headers: { host: 'bad host/\\' }, chunks: [Buffer.from('abc')] });
    expect(seen?.url).toBe(`http://127.0.0.1:${port}/p`);
    expect(seen?.target).toBe('https://en.wikipedia.org/');
  });

  it('takes the transport from the socket, never from an absolute-form target (RFC 9112 §3.2.2)', async () => {
    let seen: ReturnType<typeof nodeRequestInfo> | undefined;
    const port = await listen(
      createServer((req, res) => {
        seen = nodeRequestInfo(req);
        res.end();
      }),
    );
    await send(port, { path: 'https://api.example.com/v1/secret?x=1', headers: { host: 'ignored.example' } });
    expect(seen?.url).toBe('http://api.example.com/v1/secret?x=1');
    expect(seen?.secure).toBe(false);
  });

  it('uses the original URL of a request a router rewrote (Express `originalUrl`)', async () => {
    let seen: ReturnType<typeof nodeRequestInfo> | undefined;
    const port = await listen(
      createServer((req, res) => {
        Object.assign(req, { originalUrl: req.url, url: '/users' }); // what a router mounted at /admin does
        seen = nodeRequestInfo(req);
        res.end();
      }),
    );
    await send(port, { path: '/admin/users', headers: { host: 'api.example.com' } });
    expect(seen?.url).toBe('http://api.example.com/admin/users');
  });

  it('uses https and exposes the TLS client certificate (DER)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aap-tls-'));
    const make = (name: string) => {
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
          '-subj',
          `/CN=${name}`,
          '-keyout',
          join(dir, `${name}.key`),
          '-out',
          join(dir, `${name}.pem`),
        ],
        { stdio: 'ignore' },
      );
      return { key: readFileSync(join(dir, `${name}.key`)), cert: readFileSync(join(dir, `${name}.pem`)) };
    };
    const server = make('localhost');
    const client = make('agent');
    let seen: ReturnType<typeof nodeRequestInfo> | undefined;
    const tls = createTlsServer({ ...server, requestCert: true, rejectUnauthorized: false }, (req, res) => {
      seen = nodeRequestInfo(req);
      res.end();
    });
    const port = await listen(tls);
    await new Promise<void>((resolve, reject) => {
      httpsRequest({ host: '127.0.0.1', port, path: '/mtls', ...client, rejectUnauthorized: false }, (res) =>
        res.resume().on('end', resolve),
      )
        .on('error', reject)
        .end();
    });
    expect(seen?.url).toBe(`https://127.0.0.1:${port}/mtls`);
    expect(seen?.secure).toBe(true);
    const expected = new X509Certificate(client.cert).raw;
    expect(Buffer.from(seen!.clientCertificate!)).toEqual(expected);
  });
});

describe('writeDeny', () => {
  it('writes status, decision headers, no-store and the JSON body', async () => {
    const decision = {
      status: 401,
      headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
      body: { error: 'invalid_token', error_description: 'The access token expired', reason: 'token_expired' },
    } as const;
    const port = await listen(createServer((_req, res) => writeDeny(res, decision)));
    const res = await send(port, {});
    expect(res.status).toBe(401);
    expect(res.headers?.['www-authenticate']).toBe('Bearer error="invalid_token"');
    expect(res.headers?.['cache-control']).toBe('no-store');
    expect(JSON.parse(res.body.toString())).toEqual(decision.body);
  });
});

describe('enforceLimits', () => {
  /** A server that enforces `limits`, then echoes the body length, or sends `reply` bytes in chunks. */
  async function limited(limits: ResponseLimits, reply?: { chunks: number; size: number }) {
    const { guard, events } = await guardWithEvents();
    const handled: string[] = [];
    const handler: Handler = (req, res) => {
      tapBody(req, 1 << 20); // first thing, as the adapters do
      enforceLimits(engineOf(guard).runtime, req, res, allowWith(limits));
      if (reply) {
        handled.push('reply');
        for (let i = 0; i < reply.chunks; i += 1) res.write(Buffer.alloc(reply.size, 0x61));
        res.end();
        return;
      }
      let length = 0;
      req.on('data', (chunk: Buffer) => (length += chunk.length));
      req.on('end', () => {
        handled.push(`body:${length}`);
        if (!res.headersSent) res.end(String(length));
      });
    };
    return { port: await listen(createServer(handler)), events, handled };
  }

  it('answers a chunked body over maxRequestSize with 413 request_too_large, before the app sees it all', async () => {
    const { port, events, handled } = await limited({ maxRequestSize: 100 });
    const res = await send(port, { chunks: [Buffer.alloc(60), Buffer.alloc(60), Buffer.alloc(60)] });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body.toString())).toEqual({
      error: 'aap_constraint_violation',
      error_description: expect.any(String),
      reason: 'request_too_large',
    });
    expect(res.headers?.connection).toBe('close');
    expect(handled).toEqual([]);
    expect(events.at(-1)).toMatchObject({
      kind: 'enforcement',
      decision: 'deny',
      status: 413,
      reason: 'request_too_large',
      jti: 'jti-1',
      detail: { limit: 100 },
    });
  });

  it('lets a chunked body within maxRequestSize through untouched', async () => {
    const { port, handled } = await limited({ maxRequestSize: 100 });
    const res = await send(port, { chunks: [Buffer.alloc(50), Buffer.alloc(50)] });
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('100');
    expect(handled).toEqual(['body:100']);
  });

  it('counts body bytes that arrived while the guard was deciding, and refuses before the handler', async () => {
    const { guard, events } = await guardWithEvents();
    const handled: string[] = [];
    const port = await listen(
      createServer(async (req, res) => {
        const body = tapBody(req, 1 << 20)!; // first thing, as the adapters do
        // "the guard's await"
        while (body.received < 120 && !req.complete) await new Promise((resolve) => setImmediate(resolve));
        if (!enforceLimits(engineOf(guard).runtime, req, res, allowWith({ maxRequestSize: 100 }))) return;
        handled.push('handler');
        res.end();
      }),
    );
    const res = await send(port, { chunks: [Buffer.alloc(60), Buffer.alloc(60)] });
    expect(res.status).toBe(413);
    expect(handled).toEqual([]);
    expect(events.at(-1)).toMatchObject({ reason: 'request_too_large', detail: { received: 120 } });
  });

  it('fails closed when the body was read before it could be counted', async () => {
    const { guard } = await guardWithEvents();
    const port = await listen(
      createServer(async (req, res) => {
        for await (const chunk of req) void chunk; // a body parser ran before the guard
        tapBody(req, 1 << 20);
        if (enforceLimits(engineOf(guard).runtime, req, res, allowWith({ maxRequestSize: 1_000_000 })))
          res.end('handled');
      }),
    );
    const res = await send(port, { chunks: [Buffer.alloc(10)] });
    expect(res.status).toBe(413);
  });

  it('limits a body with a declared Content-Length too, as it streams (defence in depth)', async () => {
    const { port, handled } = await limited({ maxRequestSize: 10 });
    const res = await send(port, { headers: { 'content-length': '20' }, chunks: [Buffer.alloc(20)] });
    expect(res.status).toBe(413);
    expect(handled).toEqual([]);
  });

  it('never cuts off its own 413 deny, even under a tiny maxResponseSize', async () => {
    const { port } = await limited({ maxRequestSize: 10, maxResponseSize: 5 });
    const res = await send(port, { chunks: [Buffer.alloc(20)] });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body.toString()).reason).toBe('request_too_large');
  });

  it('cuts a response off after maxResponseSize bytes and reports it', async () => {
    const { port, events } = await limited({ maxResponseSize: 150 }, { chunks: 3, size: 100 });
    const res = await send(port, {});
    expect(res.error).toBeDefined();
    expect(res.body.length).toBeLessThanOrEqual(150);
    expect(events.at(-1)).toMatchObject({
      kind: 'enforcement',
      decision: 'deny',
      reason: 'constraint_violation',
      detail: { constraint: 'max_response_size', limit: 150 },
    });
  });

  it('leaves a response within maxResponseSize complete', async () => {
    const { port, events } = await limited({ maxResponseSize: 300 }, { chunks: 3, size: 100 });
    const res = await send(port, {});
    expect(res.error).toBeUndefined();
    expect(res.body.length).toBe(300);
    expect(events).toEqual([]);
  });
});

describe('tapBody', () => {
  /** A server that waits (like a guard fetching keys), digests the body, then lets the "app" read it all. */
  async function digesting(keep: number, max: number) {
    const port = await listen(
      createServer(async (req, res) => {
        const tap = tapBody(req, keep);
        await new Promise((resolve) => setTimeout(resolve, 30));
        const digest = tap ? await tap.digest(max) : { empty: true };
        let read = 0;
        for await (const chunk of req) read += (chunk as Buffer).length;
        res.end(JSON.stringify({ digest, read }));
      }),
    );
    return (chunks: Buffer[], headers: Record<string, string> = {}) =>
      send(port, { chunks, headers }).then((r) => JSON.parse(r.body.toString()));
  }

  it('digests a body without consuming it: the application still reads every byte (Content-Length and chunked)', async () => {
    const post = await digesting(1 << 22, 1 << 22);
    const body = Buffer.alloc(3_000_000, 7);
    const { createHash } = await import('node:crypto');
    const expected = createHash('sha256').update(body).digest('base64url');
    expect(await post([body], { 'content-length': String(body.length) })).toEqual({
      digest: { digest: expected, bytes: body.length },
      read: body.length,
    });
    expect(await post([body.subarray(0, 1_000_000), body.subarray(1_000_000)])).toEqual({
      digest: { digest: expected, bytes: body.length },
      read: body.length,
    });
  });

  it('says too_large above the limit, and installs nothing for a request without a body', async () => {
    const post = await digesting(100, 100);
    expect((await post([Buffer.alloc(500)])).digest).toEqual({ problem: 'too_large' });
    expect((await post([])).digest).toEqual({ empty: true });
  });
});

describe('tapBody content()', () => {
  it('reads the whole body without consuming it, and answers the same after release() (a second run)', async () => {
    const port = await listen(
      createServer(async (req, res) => {
        const tap = tapBody(req, 1 << 20)!;
        const first = await tap.content(1 << 16);
        tap.release(); // the decision is made
        let read = 0;
        for await (const chunk of req) read += (chunk as Buffer).length;
        const again = await tap.content(1 << 16);
        const smaller = await tap.content(10);
        type Read = Awaited<ReturnType<typeof tap.content>>;
        const text = (result: Read) => ('content' in result ? Buffer.from(result.content).toString() : result);
        res.end(JSON.stringify({ first: text(first), again: text(again), smaller: text(smaller), read }));
      }),
    );
    const body = `title=${'x'.repeat(50_000)}`;
    const sent = await send(port, { chunks: [Buffer.from(body.slice(0, 20_000)), Buffer.from(body.slice(20_000))] });
    const seen: unknown = JSON.parse(sent.body.toString());
    expect(seen).toEqual({ first: body, again: body, smaller: { problem: 'too_large' }, read: body.length });
  });

  it('settles as unavailable when the request is cut off before its end, never hangs', async () => {
    let settled: (value: unknown) => void;
    const result = new Promise((resolve) => (settled = resolve));
    const port = await listen(
      createServer((req) => {
        void tapBody(req, 1 << 20)!
          .content(1 << 16)
          .then(settled);
      }),
    );
    const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', headers: { 'content-length': '100' } });
    req.on('error', () => undefined);
    req.write('access_token=');
    setTimeout(() => req.destroy(), 50);
    expect(await result).toEqual({ problem: 'unavailable' });
  });
});
