/**
 * The Fastify and Koa admin routers over real HTTP handling: authorization, holds, revocations.
 */
import { createGuard, type Guard } from '@aap-guard/core';
import { aapAdmin as fastifyAdmin } from '@aap-guard/admin/fastify';
import { aapAdmin as koaAdmin } from '@aap-guard/admin/koa';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import request from 'supertest';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { forEachFastify } from '../../fastify/test/helpers.js';
import { forEachKoa } from '../../koa/test/helpers.js';

let issuer: TestIssuer;
const guards: Guard[] = [];
beforeAll(async () => {
  issuer = await createIssuer();
});
afterEach(async () => {
  await Promise.all(guards.splice(0).map((guard) => guard.close()));
});

async function guardWithHold(): Promise<{ guard: Guard; id: string; token: string }> {
  const guard = createGuard({ issuer: issuer.issuer, audience: issuer.audience, jwks: issuer.jwks });
  guards.push(guard);
  const token = await issuer.mint({
    taskId: 'task-adm',
    sections: { oversight: { requires_human_approval_for: ['search.web'] } },
  });
  const held = await guard.check(
    { method: 'GET', url: 'https://api.example.com/s', headers: { authorization: `Bearer ${token}` } },
    { action: 'search.web' },
  );
  return { guard, id: held.body?.hold_id as string, token };
}

const retry = (guard: Guard, token: string, id: string) =>
  guard.check(
    {
      method: 'GET',
      url: 'https://api.example.com/s',
      headers: { authorization: `Bearer ${token}`, 'aap-hold-id': id },
    },
    { action: 'search.web' },
  );

forEachFastify('admin plugin', (Fastify) => {
  it('refuses to mount without an authorizer', async () => {
    const { guard } = await guardWithHold();
    expect(() => fastifyAdmin({ guard } as never)).toThrow(/refuses to mount/);
  });

  it('lists, approves and revokes for authorized callers only', async () => {
    const { guard, id, token } = await guardWithHold();
    const app = Fastify();
    await app.register(
      fastifyAdmin({ guard, authorize: (req) => req.headers['x-admin'] === 'yes', actor: () => 'dave' }),
      { prefix: '/adm' },
    );
    const admin = { 'x-admin': 'yes' };
    expect((await app.inject({ method: 'GET', url: '/adm/holds' })).statusCode).toBe(403);
    expect(
      (await app.inject({ method: 'GET', url: '/adm/holds?status=pending', headers: admin })).json().holds[0].id,
    ).toBe(id);
    const approved = await app.inject({
      method: 'POST',
      url: `/adm/holds/${id}/approve`,
      headers: admin,
      payload: { note: 'ok' },
    });
    expect(approved.json().hold).toMatchObject({ status: 'approved', approvedBy: 'dave' });
    expect((await retry(guard, token, id)).allowed).toBe(true);
    const revoked = await app.inject({
      method: 'POST',
      url: '/adm/revocations',
      headers: admin,
      payload: { taskId: 'task-adm' },
    });
    expect(revoked.statusCode).toBe(201);
    expect((await retry(guard, token, id)).reason).toBe('token_revoked');
    await app.close();
  });
});

forEachKoa('admin middleware', (Koa) => {
  it('refuses to mount without an authorizer', async () => {
    const { guard } = await guardWithHold();
    expect(() => koaAdmin({ guard } as never)).toThrow(/refuses to mount/);
  });

  it('denies, lists and revokes for authorized callers only; other paths pass through', async () => {
    const { guard, id, token } = await guardWithHold();
    const app = new Koa();
    app.use(koaAdmin({ guard, authorize: async (ctx) => ctx.get('x-admin') === 'yes', actor: () => 'erin' }));
    app.use((ctx) => void (ctx.body = { app: true }));
    const server = app.callback();
    expect((await request(server).get('/aap-admin/holds')).status).toBe(403);
    expect((await request(server).get('/other')).body).toEqual({ app: true });
    const denied = await request(server).post(`/aap-admin/holds/${id}/deny`).set('x-admin', 'yes').send({ note: 'no' });
    expect(denied.body.hold).toMatchObject({ status: 'denied', deniedBy: 'erin', note: 'no' });
    expect((await retry(guard, token, id)).reason).toBe('hold_denied');
    expect(
      (
        await request(server)
          .post('/aap-admin/revocations')
          .set('x-admin', 'yes')
          .send({ agentId: 'agent-researcher-01' })
      ).status,
    ).toBe(201);
    expect(
      (await request(server).get('/aap-admin/revocations').set('x-admin', 'yes')).body.revocations[0],
    ).toMatchObject({ kind: 'agent', by: 'erin' });
    expect(
      (
        await request(server)
          .post('/aap-admin/revocations')
          .set('x-admin', 'yes')
          .set('content-type', 'application/json')
          .send('{')
      ).status,
    ).toBe(400);
  });
});
