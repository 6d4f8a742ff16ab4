/**
 * A SET delivered to several replicas sharing a real redis-server (a transmitter retrying through a
 * load balancer) is applied once: its iss + jti are claimed through the store, so every other delivery is
 * a duplicate — and the revocation still reaches every replica through the store's fan-out.
 */
import { type AuditEvent } from '@aap-guard/core';
import { AAP_REVOCATION_EVENT, securityEventReceiver } from '@aap-guard/core/events';
import { signSecurityEvent } from '@aap-guard/testing';
import { describe, expect, it } from 'vitest';
import { useRedisReplicas } from '../helpers/guarded-app.js';
import { until } from '../helpers/until.js';

const redis = useRedisReplicas();

describe('security events across replicas sharing Redis', () => {
  it('one SET delivered to three replicas at once is applied by exactly one, and refuses the task on all three', async () => {
    const prefix = `se${Math.random().toString(36).slice(2)}:`;
    const audits: AuditEvent[] = [];
    const replicas = [0, 1, 2].map(() =>
      redis.replica(prefix, { guard: { audit: (event: AuditEvent) => void audits.push(event), logger: false } }),
    );
    await Promise.all(replicas.map((guard) => guard.revocations.whenSynced()));
    const token = await redis.issuer.mint({ taskId: 'task-set-redis' });
    const set = await signSecurityEvent(redis.issuer, {
      events: { [AAP_REVOCATION_EVENT]: { task_id: 'task-set-redis' } },
    });
    const outcomes = await Promise.all(replicas.map((guard) => securityEventReceiver(guard).process(set)));
    expect(outcomes.map((outcome) => outcome.kind).sort()).toEqual(['applied', 'duplicate', 'duplicate']);
    expect(audits.filter((event) => JSON.stringify(event).includes('task-set-redis'))).toHaveLength(1);
    const refused = async (index: number) => {
      const d = await replicas[index]!.check(
        { method: 'GET', url: 'https://api.example.com/x', headers: { authorization: `Bearer ${token}` } },
        { action: 'search.web' },
      );
      return d.reason === 'token_revoked';
    };
    await Promise.all([0, 1, 2].map((index) => until(() => refused(index), 1000)));
  });
});
