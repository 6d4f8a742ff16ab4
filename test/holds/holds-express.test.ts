/**
 * Oversight holds through real HTTP (Express adapter, memory store): hold → pending → approve →
 * allowed once → used; tampering, expiry (injected clock), denial, hooks and audit events.
 */
import type { GuardOptions, Hold } from '@aap-guard/core';
import type express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { useGuardedApps } from '../helpers/guarded-app.js';

const REFERENCE = 'https://approvals.example.com/requests/42';
const apps = useGuardedApps();

function mint(extra: { agentId?: string; taskId?: string; reference?: string | null } = {}): Promise<string> {
  const oversight = {
    requires_human_approval_for: ['cms.publish'],
    ...(extra.reference === null ? {} : { approval_reference: extra.reference ?? REFERENCE }),
  };
  return apps.issuer.mint({
    agentId: extra.agentId,
    taskId: extra.taskId,
    capabilities: [{ action: 'cms.publish' }, { action: 'cms.read' }],
    sections: { oversight },
  });
}

function app(options: Partial<GuardOptions> = {}) {
  const built = apps.app(options);
  const { aap, server } = built;
  server.post('/v1/publish', aap.require('cms.publish'), (_req, res) => void res.json({ published: true }));
  server.post('/v1/other', aap.require('cms.publish'), (_req, res) => void res.json({ published: 'other' }));
  server.get('/v1/read', aap.require('cms.read'), (_req, res) => void res.json({ read: true }));
  return built;
}

const post = (server: express.Express, token: string, hold?: string, path = '/v1/publish') => {
  const req = request(server).post(path).set('authorization', `Bearer ${token}`).send({ title: 'x' });
  return hold === undefined ? req : req.set('aap-hold-id', hold);
};

describe('oversight holds (Express, memory store)', () => {
  it('holds, denies while pending, allows the approved retry exactly once', async () => {
    const { guard, server, events } = app();
    const token = await mint();
    const first = await post(server, token);
    expect(first.status).toBe(403);
    expect(first.body).toMatchObject({
      error: 'aap_approval_required',
      reason: 'approval_required',
      approval_reference: REFERENCE,
    });
    const id = first.body.hold_id as string;
    expect(id).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(first.headers['aap-hold-id']).toBe(id);

    const hold = await guard.holds.get(id);
    expect(hold).toMatchObject({
      status: 'pending',
      action: 'cms.publish',
      method: 'POST',
      path: '/v1/publish',
      agent: { id: 'agent-researcher-01' },
      task: { id: 'task-001' },
    });
    expect((await post(server, token, id)).body.reason).toBe('hold_pending');

    const approved = await guard.holds.approve(id, { by: 'alice@example.com', note: 'ok' });
    expect(approved).toMatchObject({ ok: true, hold: { status: 'approved', approvedBy: 'alice@example.com' } });
    const retry = await post(server, token, id);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual({ published: true });
    const again = await post(server, token, id);
    expect(again.status).toBe(403);
    expect(again.body).toMatchObject({ reason: 'hold_used', hold_id: id });

    const ops = events.filter((e) => e.kind === 'hold').map((e) => [e.operation, e.actor]);
    expect(ops).toEqual([
      ['created', 'agent-researcher-01'],
      ['approved', 'alice@example.com'],
      ['consumed', 'agent-researcher-01'],
    ]);
    expect(events.find((e) => e.operation === 'approved')?.hold).toMatchObject({ id, status: 'approved' });
  });

  it('does not hold actions outside requires_human_approval_for', async () => {
    const { server } = app();
    const res = await request(server)
      .get('/v1/read')
      .set('authorization', `Bearer ${await mint()}`);
    expect(res.status).toBe(200);
  });

  it('denies a tampered retry: other path, other query, other token', async () => {
    const { guard, server } = app();
    const token = await mint();
    const id = (await post(server, token)).body.hold_id as string;
    await guard.holds.approve(id, { by: 'alice' });
    expect((await post(server, token, id, '/v1/other')).body.reason).toBe('hold_mismatch');
    expect((await post(server, token, id, '/v1/publish?force=1')).body.reason).toBe('hold_mismatch');
    expect((await post(server, await mint(), id)).body.reason).toBe('hold_mismatch');
    expect((await post(server, token, id)).status).toBe(200); // the mismatches consumed nothing
  });

  it('binds the body digest when the adapter provides one', async () => {
    const { guard } = app();
    const token = await mint();
    const info = (digest: string, hold?: string) => ({
      method: 'POST',
      url: 'https://api.example.com/v1/publish',
      headers: { authorization: `Bearer ${token}`, ...(hold ? { 'aap-hold-id': hold } : {}) },
      bodyDigest: digest,
    });
    const held = await guard.check(info('digest-of-body-a'), { action: 'cms.publish' });
    const id = held.body?.hold_id as string;
    expect((await guard.holds.get(id))?.bodyDigest).toBe('digest-of-body-a');
    await guard.holds.approve(id, { by: 'alice' });
    expect((await guard.check(info('digest-of-body-b', id), { action: 'cms.publish' })).reason).toBe('hold_mismatch');
    expect((await guard.check(info('digest-of-body-a', id), { action: 'cms.publish' })).allowed).toBe(true);
  });

  it("matches agent and task instead of the token with match: 'agent-task'", async () => {
    const { guard, server } = app({ oversight: { match: 'agent-task' } });
    const id = (await post(server, await mint())).body.hold_id as string;
    await guard.holds.approve(id, { by: 'alice' });
    expect((await post(server, await mint({ taskId: 'task-002' }), id)).body.reason).toBe('hold_mismatch');
    expect((await post(server, await mint(), id)).status).toBe(200); // a fresh token of the same agent and task
  });

  it('expires holds after holdTtl (injected clock): no approval, no retry', async () => {
    const { guard, server, advance } = app({ oversight: { holdTtl: 60 } });
    const token = await mint();
    const late = (await post(server, token)).body.hold_id as string;
    const early = (await post(server, token)).body.hold_id as string;
    await guard.holds.approve(early, { by: 'alice' });
    advance(60_000);
    expect(await guard.holds.approve(late, { by: 'alice' })).toMatchObject({ ok: false, problem: 'expired' });
    expect((await post(server, token, early)).body.reason).toBe('hold_expired');
  });

  it('denies the retry of a denied hold, and unknown or malformed hold ids', async () => {
    const { guard, server } = app();
    const token = await mint();
    const id = (await post(server, token)).body.hold_id as string;
    expect(await guard.holds.deny(id, { by: 'bob' })).toMatchObject({
      ok: true,
      hold: { status: 'denied', deniedBy: 'bob' },
    });
    expect((await post(server, token, id)).body.reason).toBe('hold_denied');
    expect(await guard.holds.approve(id, { by: 'alice' })).toMatchObject({ ok: false, problem: 'denied' });
    expect((await post(server, token, 'A'.repeat(32))).body.reason).toBe('hold_mismatch');
    const malformed = await post(server, token, 'not a hold id');
    expect(malformed.status).toBe(403);
    expect(malformed.body.reason).toBe('hold_mismatch');
  });

  it('uses approvalUrl(hold), and a failing onHold never breaks the request', async () => {
    const seen: Hold[] = [];
    for (const onHold of [
      (h: Hold) => void seen.push(h),
      () => {
        throw new Error('chat down');
      },
      async () => {
        throw new Error('chat down');
      },
    ]) {
      const { server } = app({
        oversight: { approvalUrl: (hold) => `https://approve.example.com/h/${hold.id}`, onHold },
      });
      const res = await post(server, await mint({ reference: null }));
      expect(res.status).toBe(403);
      expect(res.body.approval_reference).toBe(`https://approve.example.com/h/${res.body.hold_id}`);
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toHaveLength(1);
    expect(seen[0]?.status).toBe('pending');
  });

  it('lists holds by status', async () => {
    const { guard, server } = app();
    const token = await mint();
    const a = (await post(server, token)).body.hold_id as string;
    const b = (await post(server, token)).body.hold_id as string;
    await guard.holds.approve(a, { by: 'alice' });
    expect((await guard.holds.list({ status: 'pending' })).map((h) => h.id)).toEqual([b]);
    expect((await guard.holds.list()).map((h) => h.id).sort()).toEqual([a, b].sort());
    await expect(guard.holds.approve(b, { by: '' })).rejects.toThrow(TypeError);
  });
});
