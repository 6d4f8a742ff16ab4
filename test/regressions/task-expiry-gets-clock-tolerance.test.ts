/**
 * Regression: a task whose `task.expires_at` had passed was still allowed for the token's clock tolerance
 * (up to 300 s): `expires_at` 240 s ago passed. The draft (§7.4, Temporal level) says "the RS MUST reject
 * tokens for tasks past their expiration"; the tolerance is for a `created_at` in the future only. The same
 * cases run over real HTTP on every adapter in the conformance table (`task: expired within what the clock
 * tolerance was`, `task: expires at the request time`).
 */
import { createGuard } from '@aap-guard/core';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import { beforeAll, describe, expect, it } from 'vitest';

const NOW = Date.UTC(2025, 5, 15, 12, 0, 0);
const at = (offset: number) => NOW / 1000 + offset;
let as: TestIssuer;

beforeAll(async () => {
  as = await createIssuer({ now: () => NOW - 600_000 });
});

async function decide(task: Record<string, unknown>): Promise<string> {
  const guard = createGuard({
    issuer: as.issuer,
    audience: as.audience,
    jwks: as.jwks,
    logger: false,
    now: () => NOW,
    clockTolerance: 300,
  });
  const token = await as.mint({ ttl: 4200, sections: { task: { id: 'task-001', purpose: 'research', ...task } } });
  const decision = await guard.check(
    { method: 'GET', url: 'https://api.example.com/x', headers: { authorization: `Bearer ${token}` } },
    { action: 'search.web' },
  );
  await guard.close();
  return decision.allowed ? 'allowed' : `${decision.status} ${decision.reason}`;
}

describe('task.expires_at has no grace', () => {
  it('a task that expired 240 s ago is refused, whatever the clock tolerance', async () => {
    expect(await decide({ expires_at: at(-240) })).toBe('403 task_expired');
    expect(await decide({ expires_at: at(-1) })).toBe('403 task_expired');
    expect(await decide({ expires_at: at(0) })).toBe('403 task_expired');
  });

  it('a task still running is allowed; a created_at in the future keeps the tolerance', async () => {
    expect(await decide({ expires_at: at(1) })).toBe('allowed');
    expect(await decide({ created_at: at(240), expires_at: at(3600) })).toBe('allowed');
    expect(await decide({ created_at: at(301) })).toBe('403 task_expired');
  });
});
