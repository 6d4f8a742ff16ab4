/**
 * Regression (issue 23, defect 6): `max_request_size` counted compressed bytes. With a 1024-byte limit, a
 * 259-byte gzip body (deflate and br alike) was admitted, and `express.json()` inflated it to 200 KB for the
 * handler: the limit bounded the wire, never what the handler received. On a route whose capability has
 * `max_request_size`, a body with a `Content-Encoding` other than `identity` is now refused before the
 * handler runs: 415 `content_encoding_unsupported` with `Accept-Encoding: identity` (RFC 9110 §15.5.16,
 * §12.5.3). Over real HTTP on every adapter, each app decoding bodies as its usual parser would
 * (Express: `express.json()`; Koa and Fastify: a parser that inflates by `Content-Encoding`).
 */
import { createServer, type IncomingMessage } from 'node:http';
import { brotliCompressSync, brotliDecompressSync, deflateSync, gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import Router from '@koa/router';
import type { AuditEvent, Guard } from '@aap-guard/core';
import { aapGuard as expressGuard } from '@aap-guard/express';
import { aapGuard as fastifyGuard } from '@aap-guard/fastify';
import { aapGuard as koaGuard } from '@aap-guard/koa';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { listen, send, useAuditedIssuer, type Listening } from '../adapters/kit.js';

const fixture = useAuditedIssuer();

/** 200 KB of JSON, and its encodings. */
const DOCUMENT = JSON.stringify({ text: 'a'.repeat(200_000) });
const ENCODED: Record<string, Buffer> = {
  gzip: gzipSync(DOCUMENT),
  deflate: deflateSync(DOCUMENT),
  br: brotliCompressSync(DOCUMENT),
};

interface App extends Listening {
  readonly guard: Guard;
  /** The decoded size of every body a handler received. */
  readonly handled: number[];
}

/** What the app's parser does with a body: decode it by its Content-Encoding (as body-parser, co-body do). */
function decode(encoding: string | undefined, raw: Buffer): Buffer {
  const codings = (encoding ?? '').split(',').map((coding) => coding.trim().toLowerCase());
  const decoders: Record<string, (bytes: Buffer) => Buffer> = {
    gzip: gunzipSync,
    deflate: inflateSync,
    br: brotliDecompressSync,
  };
  return codings.reduceRight((bytes, coding) => decoders[coding]?.(bytes) ?? bytes, raw);
}

async function rawBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const builds: Record<string, (events: AuditEvent[]) => Promise<App>> = {
  async express(events) {
    const aap = expressGuard(fixture.options(events));
    const app = express();
    app.use(aap);
    app.use(express.json({ limit: '1mb' })); // inflates gzip, deflate and br
    const handled: number[] = [];
    const handler: express.RequestHandler = (req, res) => {
      handled.push(JSON.stringify(req.body).length);
      res.json({ bytes: JSON.stringify(req.body).length });
    };
    app.post('/v1/drafts', aap.require('cms.create_draft'), handler);
    app.post('/v1/notes', aap.require('notes.write'), handler);
    return { ...(await listen(createServer(app), aap.guard)), guard: aap.guard, handled };
  },
  async fastify(events) {
    const app = Fastify({ bodyLimit: 1_048_576 });
    await app.register(fastifyGuard, fixture.options(events));
    app.addContentTypeParser('application/json', (request, payload, done) => {
      const encoding = request.headers['content-encoding'];
      const parse = (raw: Buffer): unknown => JSON.parse(decode(encoding, raw).toString('utf8'));
      rawBody(payload as IncomingMessage).then((raw) => done(null, parse(raw)), done);
    });
    const handled: number[] = [];
    const handler = async (request: { body: unknown }) => {
      handled.push(JSON.stringify(request.body).length);
      return { bytes: JSON.stringify(request.body).length };
    };
    app.post('/v1/drafts', { config: { aap: { action: 'cms.create_draft' } } }, handler);
    app.post('/v1/notes', { config: { aap: { action: 'notes.write' } } }, handler);
    await app.ready();
    return { ...(await listen(app.server, app.aap.guard)), guard: app.aap.guard, handled };
  },
  async koa(events) {
    const aap = koaGuard(fixture.options(events));
    const handled: number[] = [];
    const handler = async (ctx: Koa.Context) => {
      const body = decode(ctx.get('content-encoding') || undefined, await rawBody(ctx.req));
      handled.push(body.length);
      ctx.body = { bytes: body.length };
    };
    const router = new Router();
    router.post('/v1/drafts', aap.require('cms.create_draft'), handler);
    router.post('/v1/notes', aap.require('notes.write'), handler);
    const app = new Koa().use(aap).use(aap.router(router));
    return { ...(await listen(createServer(app.callback()), aap.guard)), guard: aap.guard, handled };
  },
};

describe.each(Object.keys(builds))('a compressed body on a size-limited route (%s)', (name) => {
  let running: App | undefined;
  afterEach(() => running?.close());
  const start = async () => (running = await builds[name]!([]));
  const drafts = { action: 'cms.create_draft', constraints: { max_request_size: 1024 } };
  const capabilities = [drafts, { action: 'notes.write' }];
  const token = () => fixture.as.mint({ capabilities });
  const post = async (path: string, body: Buffer, headers: Record<string, string> = {}) =>
    send(running!.url, {
      method: 'POST',
      path,
      headers: { authorization: `Bearer ${await token()}`, 'content-type': 'application/json', ...headers },
      chunks: [body],
    });

  it.each(Object.keys(ENCODED))('%s that inflates to 200 KB is refused before the handler runs', async (encoding) => {
    await start();
    const body = ENCODED[encoding]!;
    expect(body.length).toBeLessThan(1024);
    const sent = await post('/v1/drafts', body, { 'content-encoding': encoding });
    const seen = [sent.status, sent.json?.reason, sent.headers['accept-encoding']];
    expect(seen).toEqual([415, 'content_encoding_unsupported', 'identity']);
    expect(running!.handled).toEqual([]);
  });

  it('stacked codings (gzip, identity) are not identity; identity itself is counted as sent', async () => {
    await start();
    // application/octet-stream: no app parser looks at it first (body-parser refuses stacked codings itself)
    const octets = { 'content-type': 'application/octet-stream' };
    const stacked = await post('/v1/drafts', ENCODED.gzip!, { 'content-encoding': 'gzip, identity', ...octets });
    expect([stacked.status, stacked.json?.reason]).toEqual([415, 'content_encoding_unsupported']);
    const small = Buffer.from(JSON.stringify({ text: 'hello' }));
    expect((await post('/v1/drafts', small, { 'content-encoding': 'identity' })).status).toBe(200);
    expect((await post('/v1/drafts', small)).status).toBe(200);
    expect(running!.handled).toEqual([small.length, small.length]);
  });

  it('a route whose capability has no size limit still takes a compressed body', async () => {
    await start();
    const sent = await post('/v1/notes', ENCODED.gzip!, { 'content-encoding': 'gzip' });
    expect([sent.status, sent.json]).toEqual([200, { bytes: DOCUMENT.length }]);
  });
});
