/**
 * Issue 24, item 2 (draft "Delegation Chain Validation": "The RS MUST ensure delegated tokens do not contain
 * broader capabilities than the original agent token"). A token derived from a parent (`delegation.parent_jti`)
 * that adds `cms.publish` to its parent's `search.web` was admitted. Now every token's capabilities are
 * recorded at its first request, and a child whose capability no parent capability covers is refused
 * (`delegation_broader_than_parent`); a parent no replica has seen is decided by `delegation.unknownParent`.
 * Over real HTTP on Express, Fastify and Koa.
 */
import { randomUUID } from 'node:crypto';
import type { AuditEvent, GuardOptions } from '@aap-guard/core';
import type { Capability } from '@aap-guard/core';
import { describe, expect, it } from 'vitest';
import { ADAPTERS, useAdminServers, type Served } from '../console/serve-admin.js';

const servers = useAdminServers();
const admin = { authorize: () => true };

describe.each(ADAPTERS)('a delegated token is never broader than its parent (%s)', (adapter) => {
  const serve = (options: Partial<GuardOptions> = {}): Promise<Served> => servers.serve(adapter, options, admin);
  const mintParent = async (capabilities: readonly Capability[]) => {
    const jti = randomUUID();
    return { jti, token: await servers.issuer.mint({ claims: { jti }, capabilities }) };
  };
  const mintChild = (parent: string, capabilities: readonly Capability[]) =>
    servers.issuer.mint({
      capabilities,
      sections: {
        delegation: { depth: 1, max_depth: 2, chain: ['orchestrator', 'agent-researcher-01'], parent_jti: parent },
      },
    });
  const publish = async (served: Served, token: string) => {
    const res = await fetch(`${served.url}/v1/publish`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const body = (await res.json()) as Record<string, unknown>;
    return { status: res.status, reason: body.reason, body };
  };

  it('refuses a child that adds an action its parent does not have', async () => {
    const served = await serve();
    const parent = await mintParent([{ action: 'search.web' }]);
    expect((await publish(served, parent.token)).reason).toBe('capability_missing'); // the parent seen: recorded
    const child = await mintChild(parent.jti, [{ action: 'cms.publish' }]);
    const refused = await publish(served, child);
    expect([refused.status, refused.reason]).toEqual([403, 'delegation_broader_than_parent']);
    expect(refused.body.error).toBe('aap_invalid_delegation_chain');
    expect(JSON.stringify(refused.body)).not.toContain('search.web'); // the parent's grant stays in the audit
  });

  it('refuses a child whose constraints are looser than its parent’s, and admits a narrower one', async () => {
    const served = await serve();
    const parent = await mintParent([
      { action: 'cms.publish', constraints: { max_requests_per_hour: 50, allowed_methods: ['POST', 'PUT'] } },
    ]);
    expect((await publish(served, parent.token)).status).toBe(200);
    const looser = await mintChild(parent.jti, [
      { action: 'cms.publish', constraints: { max_requests_per_hour: 500, allowed_methods: ['POST'] } },
    ]);
    expect((await publish(served, looser)).reason).toBe('delegation_broader_than_parent');
    const unbounded = await mintChild(parent.jti, [{ action: 'cms.publish' }]);
    expect((await publish(served, unbounded)).reason).toBe('delegation_broader_than_parent');
    const narrower = await mintChild(parent.jti, [
      { action: 'cms.publish', constraints: { max_requests_per_hour: 10, allowed_methods: ['POST'] } },
    ]);
    expect((await publish(served, narrower)).status).toBe(200);
  });

  it("a parent never seen: admitted and audited by default ('allow-audited'), refused with 'refuse'", async () => {
    const events: AuditEvent[] = [];
    const lenient = await serve({ audit: (event) => void events.push(event) });
    const unseen = await mintChild(randomUUID(), [{ action: 'cms.publish' }]);
    expect((await publish(lenient, unseen)).status).toBe(200);
    expect(events.at(-1)?.detail).toMatchObject({ delegationBreadth: expect.stringContaining('parent unknown') });
    const strict = await serve({ delegation: { unknownParent: 'refuse' } });
    expect((await publish(strict, unseen)).reason).toBe('delegation_parent_unknown');
  });

  it("reportOnly: ['delegation-breadth'] admits the broader child and audits what would have been denied", async () => {
    const events: AuditEvent[] = [];
    const served = await serve({ reportOnly: ['delegation-breadth'], audit: (event) => void events.push(event) });
    const parent = await mintParent([{ action: 'search.web' }]);
    await publish(served, parent.token);
    const child = await mintChild(parent.jti, [{ action: 'cms.publish' }]);
    expect((await publish(served, child)).status).toBe(200);
    expect(events.at(-1)?.wouldDeny).toEqual([
      expect.objectContaining({ policy: 'delegation-breadth', reason: 'delegation_broader_than_parent' }),
    ]);
  });
});
