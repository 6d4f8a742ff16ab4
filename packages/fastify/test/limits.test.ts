import { aapGuard } from '@aap-guard/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, rawRequest, setup } from './helpers.js';

// Size constraints of a capability (max_request_size / max_response_size) through a real listening
// Fastify server: the core turns them into Decision.limits, the plugin enforces them like Express.

describe('@aap-guard/fastify: size limits from capability constraints', () => {
  const apps: FastifyInstance[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  async function start() {
    const { as, guard, events } = await setup();
    const app = Fastify();
    apps.push(app);
    app.addHook('onClose', async () => guard.close());
    await app.register(aapGuard, { guard });
    app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    const handled: string[] = [];
    app.post('/v1/drafts', { config: { aap: { action: 'cms.create_draft' } } }, async (request, reply) => {
      handled.push(`draft:${(request.body as Buffer).length}`);
      return reply.code(201).send({ bytes: (request.body as Buffer).length });
    });
    app.get('/v1/search', { config: { aap: { action: 'search.web' } } }, async (_request, reply) => reply.type('text/plain').send('a'.repeat(1000)));
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    return { as, events, handled, port: Number(new URL(address).port) };
  }

  const octets = (token: string) => ({ authorization: bearer(token), 'content-type': 'application/octet-stream' });

  it('answers a declared Content-Length over max_request_size with 413 before the body is read', async () => {
    const { as, events, handled, port } = await start();
    const token = await as.mint({ capabilities: [{ action: 'cms.create_draft', constraints: { max_request_size: 64 } }] });
    const res = await rawRequest(port, { method: 'POST', path: '/v1/drafts', headers: { ...octets(token), 'content-length': '120' }, chunks: [Buffer.alloc(120)] });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body.toString())).toMatchObject({ error: 'aap_constraint_violation', reason: 'request_too_large' });
    expect(handled).toEqual([]);
    expect(events.at(-1)).toMatchObject({ decision: 'deny', status: 413, reason: 'request_too_large' });
  });

  it('answers a chunked body over max_request_size with 413 before the handler runs', async () => {
    const { as, events, handled, port } = await start();
    const token = await as.mint({ capabilities: [{ action: 'cms.create_draft', constraints: { max_request_size: 64 } }] });
    const res = await rawRequest(port, { method: 'POST', path: '/v1/drafts', headers: octets(token), chunks: [Buffer.alloc(40), Buffer.alloc(40), Buffer.alloc(40)] });
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
