/**
 * Revocation through real HTTP (Express adapter, memory store): by jti, task, grant, agent and parent
 * token; family revocation through delegation.parent_jti; expiry of entries; the admin router.
 */
import { memoryStore, type GuardOptions } from '@aap-guard/core';
import { memoryRevocations } from '@aap-guard/core/store';
import { aapAdmin } from '@aap-guard/admin/express';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import express from 'express';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { useGuardedApps } from '../helpers/guarded-app.js';

const apps = useGuardedApps();

function app(options: Partial<GuardOptions> = {}) {
  const built = apps.app(options);
  const { aap, server } = built;
  server.get('/v1/search', aap.require('search.web'), (_req, res) => void res.json({ ok: true }));
  const call = async (token: string) => {
    const res = await request(server).get('/v1/search').set('authorization', `Bearer ${token}`);
    return res.status === 200 ? 'allowed' : `${res.status} ${res.body.error} ${res.body.reason}`;
  };
  return { ...built, call };
}

const REVOKED = '401 invalid_token token_revoked';
const child = (parentJti: string, jti: string, extra: Record<string, unknown> = {}) =>
  apps.issuer.mint({
    claims: { jti, ...extra },
    sections: {
      delegation: { depth: 1, max_depth: 3, chain: ['agent-a', 'agent-researcher-01'], parent_jti: parentJti },
    },
  });

describe('revocation (Express, memory store)', () => {
  it.each([
    ['jti', { jti: 'jti-1' }, { claims: { jti: 'jti-1' } }, { claims: { jti: 'jti-2' } }],
    ['taskId', { taskId: 'task-9' }, { taskId: 'task-9' }, { taskId: 'task-8' }],
    ['grantId', { grantId: 'grant-7' }, { claims: { grant_id: 'grant-7' } }, { claims: { grant_id: 'grant-6' } }],
    ['agentId', { agentId: 'agent-bad' }, { agentId: 'agent-bad' }, { agentId: 'agent-good' }],
  ] as const)('revokes by %s and leaves other tokens alone', async (_kind, key, hit, miss) => {
    const { guard, call } = app();
    const revoked = await apps.issuer.mint(hit);
    const other = await apps.issuer.mint(miss);
    expect(await call(revoked)).toBe('allowed');
    await guard.revoke(key);
    expect(await call(revoked)).toBe(REVOKED);
    expect(await call(other)).toBe('allowed');
  });

  it('revokes the whole family of a revoked token through parent_jti, transitively', async () => {
    const { guard, call } = app();
    const root = await apps.issuer.mint({ claims: { jti: 'root' } });
    const kid = await child('root', 'kid');
    const grandkid = await child('kid', 'grandkid');
    const stranger = await child('someone-else', 'stranger');
    for (const token of [root, kid, grandkid, stranger]) expect(await call(token)).toBe('allowed'); // lineage learned here
    await guard.revoke({ jti: 'root' }, { by: 'ops' });
    expect([await call(root), await call(kid), await call(grandkid), await call(stranger)]).toEqual([
      REVOKED,
      REVOKED,
      REVOKED,
      'allowed',
    ]);
  });

  it('revokes only the children with parentJti, not the parent itself', async () => {
    const { guard, call } = app();
    const root = await apps.issuer.mint({ claims: { jti: 'p-root' } });
    const kid = await child('p-root', 'p-kid');
    await guard.revoke({ parentJti: 'p-root' });
    expect([await call(root), await call(kid)]).toEqual(['allowed', REVOKED]);
  });

  it('drops an entry after its until (injected clock), audits who revoked what and when', async () => {
    const { guard, call, advance, events } = app();
    const token = await apps.issuer.mint({ taskId: 'task-short', ttl: 3600 });
    const [entry] = await guard.revoke(
      { taskId: 'task-short' },
      { until: guard.now() + 60_000, by: 'ops@example.com', reason: 'cancelled' },
    );
    expect(await call(token)).toBe(REVOKED);
    advance(60_000);
    expect(await call(token)).toBe('allowed');
    const audit = events.find((e) => e.kind === 'revocation');
    expect(audit).toMatchObject({
      operation: 'revoked',
      actor: 'ops@example.com',
      revocation: { kind: 'task', value: 'task-short' },
    });
    expect(audit?.time).toBe(new Date(entry?.at ?? 0).toISOString());
    expect(events.find((e) => e.reason === 'token_revoked')?.detail).toMatchObject({
      check: 'revocation',
      kind: 'task',
    });
  });

  it('rejects bad revocation input with TypeError', async () => {
    const { guard } = app();
    await expect(guard.revoke({})).rejects.toThrow(TypeError);
    await expect(guard.revoke({ jti: '' })).rejects.toThrow(TypeError);
    await expect(guard.revoke({ jti: 'x' }, { until: 0 })).rejects.toThrow(TypeError);
  });

  it('fans out in process to every guard sharing the store', async () => {
    const revocations = memoryRevocations();
    const a = app({ store: { ...memoryStore(), revocations } });
    const b = app({ store: { ...memoryStore(), revocations } });
    const token = await apps.issuer.mint({ taskId: 'shared-task' });
    await a.guard.revoke({ taskId: 'shared-task' });
    expect(await b.call(token)).toBe(REVOKED);
  });
});

describe('revocation scopes: issuer, user, operator (Express, memory store)', () => {
  let other: TestIssuer;
  beforeAll(async () => {
    other = await createIssuer({ issuer: 'https://other-as.example.com' });
  });
  /**
   * A guard trusting the file's issuer and another one, each with its own key. (Given as one `jwks` object
   * holding both keys, the two names would be one authorization server — either key signs for both — and a
   * revocation under one name holds under the other: see the issuer-scope regressions.)
   */
  const twoIssuers = () => app({ issuer: [apps.issuer, other].map(({ issuer, jwks }) => ({ issuer, jwks })) });

  it("a task revoked for one issuer spares another issuer's tokens that share the task id", async () => {
    const { guard, call } = twoIssuers();
    const mine = await apps.issuer.mint({ taskId: 'task-shared' });
    const theirs = await other.mint({ taskId: 'task-shared' });
    await guard.revoke({ taskId: 'task-shared', issuer: apps.issuer.issuer });
    expect([await call(mine), await call(theirs)]).toEqual([REVOKED, 'allowed']);
  });

  it("a jti revoked for one issuer spares another issuer's token with the same jti (RFC 7519: jti is unique per issuer)", async () => {
    const { guard, call } = twoIssuers();
    const mine = await apps.issuer.mint({ claims: { jti: 'same-jti' } });
    const theirs = await other.mint({ claims: { jti: 'same-jti' } });
    await guard.revoke({ jti: 'same-jti', issuer: other.issuer });
    expect([await call(mine), await call(theirs)]).toEqual(['allowed', REVOKED]);
  });

  it('without an issuer, revokes for every trusted issuer, and each audit event says which issuer and why', async () => {
    const { guard, call, events } = twoIssuers();
    const entries = await guard.revoke({ agentId: 'agent-everywhere' }, { by: 'ops' });
    expect(entries.map((entry) => entry.issuer).sort()).toEqual([apps.issuer.issuer, other.issuer].sort());
    expect(await call(await apps.issuer.mint({ agentId: 'agent-everywhere' }))).toBe(REVOKED);
    expect(await call(await other.mint({ agentId: 'agent-everywhere' }))).toBe(REVOKED);
    const audited = events.filter((e) => e.kind === 'revocation');
    expect(audited.map((e) => [e.iss, e.detail?.issuerScope]).sort()).toEqual(
      [
        [apps.issuer.issuer, 'every trusted issuer'],
        [other.issuer, 'every trusted issuer'],
      ].sort(),
    );
  });

  it('revokes every token of a user (sub) and every token of an agent operator, and nothing else', async () => {
    const { guard, call } = app();
    const user = await apps.issuer.mint({ claims: { sub: 'user-42' } });
    const otherUser = await apps.issuer.mint({ claims: { sub: 'user-7' } });
    const operated = await apps.issuer.mint({ operator: 'org:rogue' });
    const otherOperator = await apps.issuer.mint({ operator: 'org:fine' });
    await guard.revoke({ sub: 'user-42' }, { reason: 'user withdrew consent' });
    await guard.revoke({ operator: 'org:rogue' });
    expect([await call(user), await call(otherUser), await call(operated), await call(otherOperator)]).toEqual([
      REVOKED,
      'allowed',
      REVOKED,
      'allowed',
    ]);
  });

  it('refuses an issuer the guard does not trust', async () => {
    const { guard } = app();
    await expect(guard.revoke({ taskId: 't', issuer: 'https://unknown.example.com' })).rejects.toThrow(
      /trusted issuer/,
    );
    await expect(guard.revoke({ taskId: 't', issuer: [] })).rejects.toThrow(TypeError);
  });

  it('guards sharing one memory store share lineage: a grandchild is refused by a guard that never saw the child', async () => {
    const store = memoryStore();
    const a = app({ store });
    const b = app({ store });
    const root = await apps.issuer.mint({ claims: { jti: 'shared-root' } });
    const kid = await child('shared-root', 'shared-kid');
    const grandkid = await apps.issuer.mint({
      claims: { jti: 'shared-grandkid' },
      sections: {
        delegation: {
          depth: 2,
          max_depth: 3,
          chain: ['agent-a', 'agent-b', 'agent-researcher-01'],
          parent_jti: 'shared-kid',
        },
      },
    });
    expect(await a.call(kid)).toBe('allowed'); // only guard a has seen the child
    await a.guard.revoke({ jti: 'shared-root' });
    expect([await b.call(root), await b.call(grandkid)]).toEqual([REVOKED, REVOKED]);
  });
});

describe('admin router (Express)', () => {
  it('refuses to mount without an authorizer', () => {
    const { guard } = app();
    expect(() => aapAdmin({ guard } as never)).toThrow(/refuses to mount/);
  });

  it('serves holds and revocations to authorized callers only', async () => {
    const { guard, server, call } = app();
    const adminApp = express(); // admin routes live outside the agents' API (or before app.use(aap))
    adminApp.use(
      '/admin',
      aapAdmin({ guard, authorize: (req) => req.headers['x-admin'] === 'yes', actor: () => 'carol' }),
    );
    const admin = (r: request.Test) => r.set('x-admin', 'yes');
    expect((await request(adminApp).get('/admin/holds')).status).toBe(403);

    const oversight = { requires_human_approval_for: ['search.web'] };
    const token = await apps.issuer.mint({ sections: { oversight }, taskId: 'task-admin' });
    const held = await request(server).get('/v1/search').set('authorization', `Bearer ${token}`);
    const id = held.body.hold_id as string;
    const list = await admin(request(adminApp).get('/admin/holds?status=pending'));
    expect(list.body.holds.map((h: { id: string }) => h.id)).toEqual([id]);
    expect((await admin(request(adminApp).get(`/admin/holds/${id}`))).body.hold.status).toBe('pending');
    expect((await admin(request(adminApp).get('/admin/holds/nope'))).status).toBe(404);
    const approved = await admin(request(adminApp).post(`/admin/holds/${id}/approve`).send({ note: 'fine' }));
    expect(approved.body.hold).toMatchObject({ status: 'approved', approvedBy: 'carol', note: 'fine' });
    expect((await admin(request(adminApp).post(`/admin/holds/${id}/deny`))).status).toBe(409);
    expect(
      (await request(server).get('/v1/search').set('authorization', `Bearer ${token}`).set('aap-hold-id', id)).status,
    ).toBe(200);

    const revoked = await admin(request(adminApp).post('/admin/revocations').send({ taskId: 'task-admin' }));
    expect(revoked.status).toBe(201);
    expect(revoked.body.revocations[0]).toMatchObject({ kind: 'task', value: 'task-admin', by: 'carol' });
    expect(await call(token)).toBe(REVOKED);
    expect((await admin(request(adminApp).get('/admin/revocations'))).body.revocations).toHaveLength(1);
    expect((await admin(request(adminApp).post('/admin/revocations').send({ taskId: 5 }))).status).toBe(400);
    const byUser = await admin(
      request(adminApp)
        .post('/admin/revocations')
        .send({ sub: 'user-9', operator: 'org:x', issuer: [apps.issuer.issuer] }),
    );
    expect(byUser.status).toBe(201);
    expect(byUser.body.revocations.map((r: { kind: string; issuer: string }) => `${r.kind} ${r.issuer}`)).toEqual([
      `sub ${apps.issuer.issuer}`,
      `operator ${apps.issuer.issuer}`,
    ]);
    expect(
      (
        await admin(
          request(adminApp).post('/admin/revocations').send({ sub: 'u', issuer: 'https://unknown.example.com' }),
        )
      ).status,
    ).toBe(400);
    expect(
      (await admin(request(adminApp).post('/admin/revocations').set('content-type', 'application/json').send('{bad')))
        .status,
    ).toBe(400);
    expect(await guard.revocations.list()).toHaveLength(3);
  });
});
