/**
 * Regression (issue 23, "the same cause elsewhere"): the body tap is one per request, shared by every guard
 * and every declaration, and its size limit was the LAST one set. A route behind two declarations — a
 * router-wide `aap.require('files.write')` whose capability allows 16 bytes, and the route's own
 * `aap.require('files.upload')` allowing 1 MB — took a 200-byte chunked body: the second declaration's limit
 * replaced the first's, so one check's mark stood in for another's. Every limit set on a request holds:
 * the smallest wins (Express and Koa, where two declarations can cover one route).
 */
import { createServer, request } from 'node:http';
import { aapGuard as expressGuard } from '@aap-guard/express';
import { aapGuard as koaGuard } from '@aap-guard/koa';
import Router from '@koa/router';
import express from 'express';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, countBody, listen, useAuditedIssuer, type Listening } from '../adapters/kit.js';

const fixture = useAuditedIssuer();
const BODY = 200;

/** The server and a promise that settles once both declarations ran (then the client sends the body). */
type Build = (ready: () => void, ran: string[]) => Promise<Listening>;

const builds: Record<string, Build> = {
  async express(ready, ran) {
    const aap = expressGuard(fixture.options([]));
    const files = express.Router();
    files.use(aap.require('files.write'));
    files.post(
      '/upload',
      aap.require('files.upload'),
      (_req, _res, next) => (ready(), next()),
      async (req, res) => {
        const bytes = await countBody(req);
        ran.push(`upload:${bytes}`);
        res.json({ bytes });
      },
    );
    const app = express();
    app.use(aap);
    app.use('/files', files);
    return listen(createServer(app), aap.guard);
  },
  async koa(ready, ran) {
    const aap = koaGuard(fixture.options([]));
    const files = new Router({ prefix: '/files' });
    files.use(aap.require('files.write'));
    files.post('/upload', aap.require('files.upload'), async (ctx) => {
      ready();
      const bytes = await countBody(ctx.req);
      ran.push(`upload:${bytes}`);
      ctx.body = { bytes };
    });
    const app = new Koa();
    app.use(aap).use(files.routes());
    return listen(createServer(app.callback()), aap.guard);
  },
};

/** POST a chunked body to `/files/upload`, only once the server said both declarations ran. */
function upload(
  base: string,
  authorization: string,
  serverReady: Promise<void>,
): Promise<{ status?: number; error?: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve) => {
    const req = request({
      host: hostname,
      port,
      method: 'POST',
      path: '/files/upload',
      headers: { authorization, 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode }));
      res.on('error', (error) => resolve({ status: res.statusCode, error: error.message }));
    });
    req.on('error', (error) => resolve({ error: error.message }));
    req.flushHeaders();
    void serverReady.then(() => req.end(Buffer.alloc(BODY)));
  });
}

describe.each(Object.keys(builds))('two declarations on one route keep both size limits (%s)', (name) => {
  let running: Listening | undefined;
  afterEach(() => running?.close());

  it("a body over the router-wide declaration's max_request_size is refused (413), though the route's own allows it", async () => {
    let ready!: () => void;
    const serverReady = new Promise<void>((resolve) => (ready = resolve));
    const ran: string[] = [];
    running = await builds[name]!(ready, ran);
    const token = await fixture.as.mint({
      capabilities: [
        { action: 'files.write', constraints: { max_request_size: 16 } },
        { action: 'files.upload', constraints: { max_request_size: 1_000_000 } },
      ],
    });
    const res = await upload(running.url, bearer(token), serverReady);
    expect(res.status).toBe(413);
    expect(ran).toEqual([]);
  });
});
