/**
 * Issue 24, item 7 (draft "Key Compromise Incident Response": "RSes SHOULD treat tokens signed with the
 * compromised kid as invalid"). There was no way to distrust a key: a token already verified and cached kept
 * being admitted until its `exp`, and the key until the authorization server withdrew it from its JWKS. Now
 * the admin API (`POST /keys/distrust`, on `guard.keys`) distrusts an issuer's `kid`: its tokens are refused
 * on their next request (`key_distrusted`), the refusal audited (and counted by reason like every decision),
 * until `POST /keys/trust`. Over real HTTP on Express, Fastify and Koa.
 */
import type { AuditEvent, Decision } from '@aap-guard/core';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { ADAPTERS, useAdminServers, type Served } from '../console/serve-admin.js';

const servers = useAdminServers();
const ADMIN = { 'x-admin': 'yes', 'content-type': 'application/json' };
const byHeader = {
  authorize: (req: { headers: Record<string, unknown> }) => req.headers['x-admin'] === 'yes',
  actor: () => 'ops@example.com',
};

describe.each(ADAPTERS)('a compromised key is distrusted at once (%s)', (adapter) => {
  const publish = async (served: Served, token: string) => {
    const res = await fetch(`${served.url}/v1/publish`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    return { status: res.status, reason: ((await res.json()) as Record<string, unknown>).reason };
  };
  const adminCall = async (served: Served, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${served.url}/aap-admin${path}`, {
      method,
      headers: ADMIN,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('refuses cached tokens signed with a distrusted kid on their next request, lists it, and admits them again once lifted', async () => {
    const events: AuditEvent[] = [];
    const served = await servers.serve(adapter, { audit: (event) => void events.push(event) }, byHeader);
    const { issuer, kid } = servers.issuer;
    const token = await servers.issuer.mint({ capabilities: [{ action: 'cms.publish' }] });
    expect((await publish(served, token)).status).toBe(200); // verified and cached
    const decisions: Decision[] = [];
    const listen = (message: unknown) => void decisions.push((message as { decision: Decision }).decision);
    subscribe('aap-guard:decision', listen);
    try {
      expect((await adminCall(served, 'POST', '/keys/distrust', { issuer, kid, reason: 'leaked' })).status).toBe(201);
      expect(await publish(served, token)).toEqual({ status: 401, reason: 'key_distrusted' });
      const fresh = await servers.issuer.mint({ capabilities: [{ action: 'cms.publish' }] });
      expect((await publish(served, fresh)).reason).toBe('key_distrusted'); // never cached: same answer
    } finally {
      unsubscribe('aap-guard:decision', listen);
    }
    expect(decisions.filter((d) => d.reason === 'key_distrusted')).toHaveLength(2); // what the metrics count
    const listed = await adminCall(served, 'GET', '/keys');
    expect(listed.body.keys).toEqual([
      expect.objectContaining({ issuer, kid, by: 'ops@example.com', reason: 'leaked' }),
    ]);
    expect(events.find((e) => e.kind === 'key')).toMatchObject({
      operation: 'distrusted',
      iss: issuer,
      key: { kid },
      actor: 'ops@example.com',
    });
    expect(events.find((e) => e.reason === 'key_distrusted')?.detail).toMatchObject({ kid, issuer });
    expect((await adminCall(served, 'POST', '/keys/trust', { issuer, kid })).status).toBe(200);
    expect((await publish(served, token)).status).toBe(200);
    expect((await adminCall(served, 'POST', '/keys/trust', { issuer, kid })).status).toBe(404);
    expect((await adminCall(served, 'GET', '/keys')).body.keys).toEqual([]);
  });

  it('refuses a key of an issuer it does not trust (400), and unauthorized callers (403)', async () => {
    const served = await servers.serve(adapter, {}, byHeader);
    expect(
      (await adminCall(served, 'POST', '/keys/distrust', { issuer: 'https://evil.example', kid: 'k' })).status,
    ).toBe(400);
    const res = await fetch(`${served.url}/aap-admin/keys`, { headers: {} });
    expect(res.status).toBe(403);
  });
});
