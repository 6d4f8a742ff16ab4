/**
 * Holds shared through a real redis-server: approve on one replica, retry on another; racing retries
 * on three replicas — exactly one wins; expiry with an injected clock; records carry a TTL.
 */
import { aapGuard } from '@aap-guard/express';
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { useRedisReplicas } from '../helpers/guarded-app.js';

const redis = useRedisReplicas();
let clock = Date.now();

function replica(prefix: string) {
  const guard = redis.replica(prefix, { guard: { now: () => clock, oversight: { holdTtl: 120 } } });
  const aap = aapGuard({ guard });
  const app = express();
  app.use(aap);
  app.post('/v1/publish', aap.require('cms.publish'), (_req, res) => void res.json({ published: true }));
  return { guard, app };
}

async function replicas(n: number) {
  const prefix = `t${Math.random().toString(36).slice(2)}:`;
  const list = Array.from({ length: n }, () => replica(prefix));
  await Promise.all(list.map((r) => r.guard.revocations.whenSynced()));
  return list;
}

const token = () =>
  redis.issuer.mint({
    ttl: 3600,
    capabilities: [{ action: 'cms.publish' }],
    sections: { oversight: { requires_human_approval_for: ['cms.publish'] } },
  });
const publish = (app: express.Express, jwt: string, hold?: string) => {
  const req = request(app).post('/v1/publish').set('authorization', `Bearer ${jwt}`);
  return hold ? req.set('aap-hold-id', hold) : req;
};

describe('holds in Redis across replicas', () => {
  it('creates on one replica, approves on another, allows the retry once on a third', async () => {
    const [a, b, c] = (await replicas(3)) as [
      ReturnType<typeof replica>,
      ReturnType<typeof replica>,
      ReturnType<typeof replica>,
    ];
    const jwt = await token();
    const held = await publish(a.app, jwt);
    expect(held.body.reason).toBe('approval_required');
    const id = held.body.hold_id as string;
    expect((await publish(b.app, jwt, id)).body.reason).toBe('hold_pending');
    expect(await b.guard.holds.approve(id, { by: 'alice' })).toMatchObject({
      ok: true,
      hold: { status: 'approved', approvedBy: 'alice' },
    });
    expect(await a.guard.holds.deny(id, { by: 'bob' })).toMatchObject({ ok: false, problem: 'approved' });
    expect((await publish(c.app, jwt, id)).status).toBe(200);
    expect((await publish(a.app, jwt, id)).body.reason).toBe('hold_used');
    expect(await c.guard.holds.get(id)).toMatchObject({
      status: 'used',
      approvedBy: 'alice',
      agent: { id: 'agent-researcher-01' },
    });
    expect((await a.guard.holds.list({ status: 'used' })).map((h) => h.id)).toContain(id);
  });

  it('lets exactly one of many racing retries on three replicas through', async () => {
    const list = await replicas(3);
    const jwt = await token();
    const id = (await publish(list[0]!.app, jwt)).body.hold_id as string;
    await list[1]!.guard.holds.approve(id, { by: 'alice' });
    const statuses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => publish(list[i % 3]!.app, jwt, id).then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 403)).toHaveLength(29);
  });

  it('expires holds (injected clock) and keeps each record under a TTL', async () => {
    const [a, b] = (await replicas(2)) as [ReturnType<typeof replica>, ReturnType<typeof replica>];
    const jwt = await token();
    const id = (await publish(a.app, jwt)).body.hold_id as string;
    const keys = (await redis.server.cli('--scan', '--pattern', `*hold:${id}`)).trim().split('\n');
    expect(keys).toHaveLength(1);
    const ttl = Number(await redis.server.cli('pttl', keys[0] as string));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(240_000); // holdTtl + retention
    await b.guard.holds.approve(id, { by: 'alice' });
    clock += 120_000;
    try {
      expect((await publish(b.app, jwt, id)).body.reason).toBe('hold_expired');
    } finally {
      clock -= 120_000;
    }
  });
});
