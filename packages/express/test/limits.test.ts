import { aapGuard } from '@aap-guard/express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { bearer, forEachExpress, rawRequest, setup } from './helpers.js';

// Size constraints of a capability (max_request_size / max_response_size) enforced through a real
// Express server: the core turns the constraints into Decision.limits, the adapter enforces them.

forEachExpress('@aap-guard/express: size limits from capability constraints', (express) => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(cleanup.splice(0).map((close) => close()));
  });

  async function start() {
    const { as, guard, events } = await setup();
    const aap = aapGuard({ guard });
    const app = express();
    const handled: string[] = [];
    app.use(aap);
    app.post('/v1/drafts', aap.require('cms.create_draft'), express.raw({ type: '*/*', limit: '1mb' }), (req, res) => {
      handled.push(`draft:${(req.body as Buffer).length}`);
      res.status(201).json({ bytes: (req.body as Buffer).length });
    });
    app.get('/v1/search', aap.require('search.web'), (_req, res) => {
      res.type('text/plain').send('a'.repeat(1000));
    });
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    cleanup.push(async () => {
      await new Promise((resolve) => server.close(resolve));
      await guard.close();
    });
    return { as, events, handled, port: (server.address() as AddressInfo).port };
  }

  it('answers a chunked body over max_request_size with 413 before the handler runs', async () => {
    const { as, events, handled, port } = await start();
    const token = await as.mint({ capabilities: [{ action: 'cms.create_draft', constraints: { max_request_size: 64 } }] });
    const res = await rawRequest(port, {
      method: 'POST',
      path: '/v1/drafts',
      headers: { authorization: bearer(token), 'content-type': 'application/octet-stream' },
      chunks: [Buffer.alloc(40), Buffer.alloc(40), Buffer.alloc(40)],
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body.toString())).toMatchObject({ error: 'aap_constraint_violation', reason: 'request_too_large' });
    expect(handled).toEqual([]);
    expect(events.at(-1)).toMatchObject({ decision: 'deny', status: 413, reason: 'request_too_large' });
  });

  it('answers a declared Content-Length over max_request_size with 413 before the body is read', async () => {
    const { as, events, handled, port } = await start();
    const token = await as.mint({ capabilities: [{ action: 'cms.create_draft', constraints: { max_request_size: 64 } }] });
    const res = await rawRequest(port, { method: 'POST', path: '/v1/drafts', headers: { authorization: bearer(token), 'content-type': 'application/octet-stream', 'content-length': '120' }, chunks: [Buffer.alloc(120)] });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body.toString())).toMatchObject({ error: 'aap_constraint_violation', reason: 'request_too_large' });
    expect(handled).toEqual([]);
    expect(events.at(-1)).toMatchObject({ decision: 'deny', status: 413, reason: 'request_too_large' });
  });

  it('admits a chunked body within max_request_size', async () => {
    const { as, handled, port } = await start();
    const token = await as.mint({ capabilities: [{ action: 'cms.create_draft', constraints: { max_request_size: 64 } }] });
    const res = await rawRequest(port, {
      method: 'POST',
      path: '/v1/drafts',
      headers: { authorization: bearer(token), 'content-type': 'application/octet-stream' },
      chunks: [Buffer.alloc(30), Buffer.alloc(30)],
    });
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
