import type { Guard } from '@aap-guard/core';
import { aapGuard } from '@aap-guard/fastify';
import type { FastifyInstance } from 'fastify';
import { afterEach, expect, it } from 'vitest';
import { bearer, setup } from '../../../test/adapters/kit.js';
import { forEachFastify } from './helpers.js';

// Fastify-only behaviour, on Fastify 5 and on Fastify 4 (see helpers.ts): the undeclared default
// (deny), route-config opt-out, routes registered before the plugin, encapsulated plugins. What
// every adapter does is in test/adapters, run on both Fastify majors too.

forEachFastify('@aap-guard/fastify', (Fastify) => {
  const apps: FastifyInstance[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  /** A Fastify app closed after the test, closing `guard` with it. */
  function fastify(guard: Guard): FastifyInstance {
    const app = Fastify();
    apps.push(app);
    app.addHook('onClose', async () => guard.close());
    return app;
  }

  async function build() {
    const { as, guard, events } = await setup();
    const app = fastify(guard);
    await app.register(aapGuard, { guard });
    const ran: string[] = [];
    app.get('/whoami', async () => {
      ran.push('whoami');
      return {};
    });
    app.get('/health', { config: { aap: false } }, async (request) => ({ status: 'ok', aap: request.aap }));
    await app.ready();
    return { as, events, app, ran };
  }

  it('denies an undeclared route by default with 403 route_undeclared, before the handler', async () => {
    const { as, app, ran, events } = await build();
    const res = await app.inject({ url: '/whoami', headers: { authorization: bearer(await as.mint()) } });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({
      error: 'aap_invalid_capability',
      error_description: expect.any(String),
      reason: 'route_undeclared',
    });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(ran).toEqual([]);
    expect(events.at(-1)).toMatchObject({ decision: 'deny', reason: 'route_undeclared' });
  });

  it('authenticates an undeclared route before refusing it by default (401 without a token)', async () => {
    const { app } = await build();
    const res = await app.inject({ url: '/whoami' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.json()).toMatchObject({ error: 'invalid_token', reason: 'credentials_missing' });
  });

  it('lets an opted-out route (aap: false) through without credentials; request.aap stays null', async () => {
    const { app } = await build();
    const res = await app.inject({ url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', aap: null });
  });

  it('enforces the config.aap of a route registered before the plugin (compiled on its first request)', async () => {
    const { as, guard } = await setup();
    const app = fastify(guard);
    app.get('/early', { config: { aap: { action: 'search.web' } } }, async () => ({ ran: true }));
    await app.register(aapGuard, { guard });
    expect((await app.inject({ url: '/early', headers: { authorization: bearer(await as.mint()) } })).statusCode).toBe(
      200,
    );
    const refused = await app.inject({
      url: '/early',
      headers: { authorization: bearer(await as.mint({ capabilities: [{ action: 'cms.publish' }] })) },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ reason: 'capability_missing' });
  });

  it('a route carrying config.aap is enforced even when the plugin registration was not awaited (undeclared: allow)', async () => {
    const { as, guard } = await setup();
    const app = fastify(guard);
    void app.register(aapGuard, { guard, undeclared: 'allow' }); // not awaited: the route below is added first
    app.delete('/admin/users/:id', { config: { aap: { action: 'admin.users.delete' } } }, async () => ({
      deleted: true,
    }));
    await app.ready();
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const res = await fetch(`${url}/admin/users/7`, {
      method: 'DELETE',
      headers: { authorization: bearer(await as.mint({ capabilities: [{ action: 'search.web' }] })) },
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ reason: 'capability_missing' });
  });

  it('guards HEAD on a GET route and routes of encapsulated plugins registered after it', async () => {
    const { as, guard } = await setup();
    const app = fastify(guard);
    await app.register(aapGuard, { guard });
    await app.register(
      async (child) => {
        child.get('/declared', { config: { aap: { action: 'search.web' } } }, async (request) => ({
          agent: request.aap?.claims.agent.id,
        }));
        child.get('/plain', async () => ({ ran: true }));
      },
      { prefix: '/api' },
    );
    const token = bearer(await as.mint({ agentId: 'agent-c' }));
    const ok = await app.inject({ url: '/api/declared', headers: { authorization: token } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ agent: 'agent-c' });
    expect((await app.inject({ method: 'HEAD', url: '/api/declared' })).statusCode).toBe(401);
    expect(
      (await app.inject({ method: 'HEAD', url: '/api/declared', headers: { authorization: token } })).statusCode,
    ).toBe(200);
    expect((await app.inject({ url: '/api/plain', headers: { authorization: token } })).statusCode).toBe(403);
    expect(
      (await app.inject({ method: 'HEAD', url: '/api/plain', headers: { authorization: token } })).statusCode,
    ).toBe(403);
  });
});
