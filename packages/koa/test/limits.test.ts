import { aapGuard } from '@aap-guard/koa';
import Router from '@koa/router';
import Koa from 'koa';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, rawRequest, setup } from './helpers.js';

// Size constraints of a capability (max_request_size / max_response_size) enforced through a real
// Koa server: the core turns the constraints into Decision.limits, the adapter enforces them.

describe('@aap-guard/koa: size limits from capability constraints', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(cleanup.splice(0).map((close) => close()));
  });

  async function readBody(req: NodeJS.ReadableStream): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const chunk of req) parts.push(chunk as Buffer);
    return Buffer.concat(parts);
  }

  async function start() {
    const { as, guard, events } = await setup();
    const aap = aapGuard({ guard });
    const router = new Router();
    const handled: string[] = [];
    router.post('/v1/drafts', aap.require('cms.create_draft'), async (ctx) => {
      const body = await readBody(ctx.req);
      handled.push(`draft:${body.length}`);
      ctx.status = 201;
      ctx.body = { bytes: body.length };
    });
    router.get('/v1/search', aap.require('search.web'), (ctx) => {
      ctx.type = 'text/plain';
      ctx.body = 'a'.repeat(1000);
    });
    const app = new Koa();
    app.silent = true; // the aborted body read after a 413 is expected
    app.use(aap).use(aap.router(router));
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    cleanup.push(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await guard.close();
    });
    return { as, events, handled, port: (server.address() as AddressInfo).port };
  }

  const octets = (token: string) => ({ authorization: bearer(token), 'content-type': 'application/octet-stream' });

  it('answers a chunked body over max_request_size with 413 before the handler completes', async () => {
    const { as, events, handled, port } = await start();
    const token = await as.mint({ capabilities: [{ action: 'cms.create_draft', constraints: { max_request_size: 64 } }] });
    const res = await rawRequest(port, { method: 'POST', path: '/v1/drafts', headers: octets(token), chunks: [Buffer.alloc(40), Buffer.alloc(40), Buffer.alloc(40)] });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body.toString())).toMatchObject({ error: 'aap_constraint_violation', reason: 'request_too_large' });
    expect(handled).toEqual([]);
    expect(events.at(-1)).toMatchObject({ decision: 'deny', status: 413, reason: 'request_too_large' });
  });

  it('answers a declared Content-Length over max_request_size with 413 before the body is read', async () => {
    const { as, events, handled, port } = await start();
    const token = await as.mint({ capabilities: [{ action: 'cms.create_draft', constraints: { max_request_size: 64 } }] });
    const res = await rawRequest(port, { method: 'POST', path: '/v1/drafts', headers: { ...octets(token), 'content-length': '120' }, chunks: [Buffer.alloc(120)] });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body.toString())).toMatchObject({ error: 'aap_constraint_violation', reason: 'request_too_large' });
    expect(handled).toEqual([]);
    expect(events.at(-1)).toMatchObject({ decision: 'deny', status: 413, reason: 'request_too_large' });
  });

  it('admits a chunked body within max_request_size', async () => {
    const { as, handled, port } = await start();
    const token = await as.mint({ capabilities: [{ action: 'cms.create_draft', constraints: { max_request_size: 64 } }] });
    const res = await rawRequest(port, { method: 'POST', path: '/v1/drafts', headers: octets(token), chunks: [Buffer.alloc(30), Buffer.alloc(30)] });
    expect(res.status).toBe(201);
    expect(handled).toEqual(['draft:60']);
  });

  it('cuts the response off after max_response_size bytes and audits it', async () => {
    const { as, events, port } = await start();
    const token = await as.mint({ capabilities: [{ action: 'search.web', constraints: { max_response_size: 100 } }] });
    const res = await rawRequest(port, { path: '/v1/search', headers: { authorization: bearer(token) } });
    expect(res.error).toBeDefined();
    expect(res.body.length).toBeLessThanOrEqual(100);
    expect(events.at(-1)).toMatchObject({ decision: 'deny', reason: 'constraint_violation', detail: { constraint: 'max_response_size' } });
  });
});
