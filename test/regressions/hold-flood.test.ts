/**
 * Regression (issue 12, defect 1): hold creation was not limited, and a flood evicted other agents'
 * approvals. An agent limited to 2 requests/minute created 10,001 holds (zero 429s) and fired 10,002
 * `onHold` notifications; the flood pushed another agent's already-approved hold out of the memory LRU, so
 * its approved retry got 403 `hold_mismatch`; on Redis, after 1,000 attacker holds the admin query
 * `GET /holds?status=pending&agentId=victim` returned 0. Hold creation is now charged to the capability's
 * quota and bounded per agent; approved holds are never evicted by others; listing is indexed.
 */
import { createServer } from 'node:http';
import { createGuard, memoryStore, type Guard, type GuardOptions, type RequestInfo } from '@aap-guard/core';
import { memoryHolds } from '@aap-guard/core/store';
import { aapAdmin } from '@aap-guard/admin/express';
import { redisStore } from '@aap-guard/redis';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import express from 'express';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../adapters/kit.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';

let as: TestIssuer;
let server: RedisServer;
beforeAll(async () => {
  [as, server] = await Promise.all([createIssuer(), startRedis()]);
});
afterAll(() => server?.stop());

const OVERSIGHT = { oversight: { requires_human_approval_for: ['cms.publish'] } };
const publish = (token: string, hold?: string): RequestInfo => ({
  method: 'POST',
  url: 'https://api.example.com/v1/publish',
  headers: { authorization: `Bearer ${token}`, ...(hold ? { 'aap-hold-id': hold } : {}) },
});
const guardWith = (options: Partial<GuardOptions>): Guard =>
  createGuard({ issuer: as.issuer, audience: as.audience, jwks: as.jwks, logger: false, ...options });

describe('hold floods', () => {
  it('an agent limited to 2 requests/minute gets no more than 2 holds a minute: held requests pay their quota (429 beyond)', async () => {
    const notified: string[] = [];
    const guard = guardWith({ oversight: { onHold: (hold) => void notified.push(hold.id) } });
    const token = await as.mint({
      capabilities: [{ action: 'cms.publish', constraints: { max_requests_per_minute: 2 } }],
      sections: OVERSIGHT,
    });
    const reasons: (string | undefined)[] = [];
    for (let i = 0; i < 50; i++) reasons.push((await guard.check(publish(token), { action: 'cms.publish' })).reason);
    expect(reasons.slice(0, 2)).toEqual(['approval_required', 'approval_required']);
    expect(new Set(reasons.slice(2))).toEqual(new Set(['rate_limited']));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(notified).toHaveLength(2);
    await guard.close();
  });

  it("a flood of other agents' holds never evicts an approved hold: its retry still goes through", async () => {
    const guard = guardWith({ store: { ...memoryStore(), holds: memoryHolds({ maxHolds: 60, maxPending: 40 }) } });
    const victim = await as.mint({ agentId: 'victim', capabilities: [{ action: 'cms.publish' }], sections: OVERSIGHT });
    const id = (await guard.check(publish(victim), { action: 'cms.publish' })).body?.hold_id as string;
    await guard.holds.approve(id, { by: 'alice' });
    const outcomes = new Map<string, number>();
    for (let agent = 0; agent < 30; agent++) {
      const attacker = await as.mint({
        agentId: `attacker-${agent}`,
        capabilities: [{ action: 'cms.publish' }],
        sections: OVERSIGHT,
      });
      for (let i = 0; i < 5; i++) {
        const reason = (await guard.check(publish(attacker), { action: 'cms.publish' })).reason ?? 'allowed';
        outcomes.set(reason, (outcomes.get(reason) ?? 0) + 1);
      }
    }
    expect(outcomes.get('hold_quota_exceeded')).toBeGreaterThan(0); // the store said "full" rather than forget
    expect((await guard.check(publish(victim, id), { action: 'cms.publish' })).allowed).toBe(true);
    await guard.close();
  });

  it("on Redis, the admin API finds the victim's pending hold after 1,000 attacker holds", async () => {
    const redis = new Redis({ host: server.host, port: server.port, maxRetriesPerRequest: 1 });
    const guard = guardWith({
      store: redisStore(redis, { prefix: `flood${Date.now()}:` }),
      oversight: { maxHoldsPerMinute: 100, maxPendingPerAgent: 100 },
    });
    await guard.ready({ timeoutMs: 5000 });
    const victim = await as.mint({ agentId: 'victim', capabilities: [{ action: 'cms.publish' }], sections: OVERSIGHT });
    const id = (await guard.check(publish(victim), { action: 'cms.publish' })).body?.hold_id;
    expect(id).toEqual(expect.any(String));
    for (let agent = 0; agent < 10; agent++) {
      const attacker = await as.mint({
        agentId: `attacker-${agent}`,
        capabilities: [{ action: 'cms.publish' }],
        sections: OVERSIGHT,
      });
      await Promise.all(Array.from({ length: 100 }, () => guard.check(publish(attacker), { action: 'cms.publish' })));
    }
    const app = express();
    app.use('/aap-admin', aapAdmin({ guard, authorize: () => true }));
    const admin = await listen(createServer(app), guard);
    try {
      const listed = (await (await fetch(`${admin.url}/aap-admin/holds?status=pending&agentId=victim`)).json()) as {
        holds: { id: string }[];
      };
      expect(listed.holds.map((hold: { id: string }) => hold.id)).toEqual([id]);
    } finally {
      await admin.close();
      redis.disconnect();
    }
  });
});
