/**
 * Regression (issue 25, item 8): a held MCP tool call showed its approver `POST /mcp` and nothing else —
 * every call is a POST to the one endpoint, and the hold kept only the digest of the call (no bytes, so not
 * even a preview). The approver could not tell which tool, with which arguments, they were approving. Now
 * the MCP guard describes the call (`RouteParts.operation`) and the hold records it (`Hold.operation`): the
 * tool's name always, its arguments — with `oversight.preview` on — redacted and bounded like a body
 * preview (sensitive member names, the presented token, `maxBytes`). The admin API and the approval
 * console show both. Real HTTP: an Express app with the MCP guard, the admin router and its console.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createGuard, type GuardOptions, type Hold } from '@aap-guard/core';
import { aapAdmin } from '@aap-guard/admin/express';
import { mcpGuard } from '@aap-guard/mcp';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let as: TestIssuer;
const servers: Server[] = [];
beforeAll(async () => {
  as = await createIssuer({ audience: 'https://mcp.example.test/mcp' });
});
afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
});

const ADMIN = { 'x-admin': 'yes' };

async function serve(oversight: GuardOptions['oversight']): Promise<string> {
  const guard = createGuard({ issuer: as.issuer, audience: as.audience, jwks: as.jwks, logger: false, oversight });
  const mcp = mcpGuard(guard, { tools: { publish: 'cms.publish', search_web: 'search.web' } });
  const app = express();
  app.use(
    '/aap-admin',
    aapAdmin({
      guard,
      authorize: (req) => req.get('x-admin') === 'yes',
      actor: () => 'alice',
      console: { url: '/aap-admin' },
    }),
  );
  app.post('/mcp', async (req, res) => {
    const admission = await mcp.admit(req, res);
    if (admission.admitted) res.json({ jsonrpc: '2.0', id: 1, result: { content: [] } });
  });
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((done) => server.once('listening', done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A held `tools/call publish`: its hold, as the admin API returns it. */
async function heldCall(base: string, args: Record<string, unknown>): Promise<Hold> {
  const token = await as.mint({
    agentId: 'agent-mcp-1',
    capabilities: [{ action: 'cms.publish' }],
    sections: { oversight: { requires_human_approval_for: ['cms.publish'] } },
  });
  const call = {
    jsonrpc: '2.0',
    id: 7,
    method: 'tools/call',
    params: { name: 'publish', arguments: { ...args, echo: token } },
  };
  const headers = {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
  };
  const response = await fetch(`${base}/mcp`, { method: 'POST', headers, body: JSON.stringify(call) });
  const reply = (await response.json()) as { error?: { data?: { reason?: string; hold_id?: string } } };
  expect(reply.error?.data?.reason).toBe('approval_required');
  const got = await fetch(`${base}/aap-admin/holds/${reply.error?.data?.hold_id}`, { headers: ADMIN });
  const hold = ((await got.json()) as { hold: Hold }).hold;
  expect(JSON.stringify(hold)).not.toContain(token); // never the presented token, even echoed in an argument
  return hold;
}

describe('an MCP hold', () => {
  it('shows the approver the tool and its redacted arguments: admin API and console', async () => {
    const base = await serve({ preview: { maxBytes: 512 } });
    const hold = await heldCall(base, { id: 'd-1', password: 'hunter2-secret' });
    expect(hold).toMatchObject({ method: 'POST', path: '/mcp', action: 'cms.publish' });
    expect(hold.operation).toMatchObject({
      kind: 'mcp.tools/call',
      name: 'publish',
      arguments: { contentType: 'application/json', truncated: false },
    });
    const text = hold.operation?.arguments?.text ?? '';
    expect(text).toContain('"id": "d-1"');
    expect(text).toContain('"password": "[redacted]"');
    expect(text).toContain('"echo": "[access token]"');
    expect(text).not.toContain('hunter2');

    const page = await (await fetch(`${base}/aap-admin/console/holds/${hold.id}`, { headers: ADMIN })).text();
    expect(page).toMatch(/<code class="operation">publish<\/code>/);
    expect(page).toContain('&quot;id&quot;: &quot;d-1&quot;');
    expect(page).not.toContain('hunter2');
    const list = await (await fetch(`${base}/aap-admin/console?status=pending`, { headers: ADMIN })).text();
    expect(list).toContain('<code>publish</code>');
  });

  it('bounds the arguments like a body preview', async () => {
    const base = await serve({ preview: { maxBytes: 64 } });
    const hold = await heldCall(base, { id: 'd-2', text: 'x'.repeat(5000) });
    expect(hold.operation?.arguments).toMatchObject({ truncated: true });
    expect(Buffer.byteLength(hold.operation?.arguments?.text ?? '')).toBeLessThanOrEqual(64);
  });

  it('keeps the tool name, not the arguments, with previews off (the default)', async () => {
    const base = await serve({});
    const hold = await heldCall(base, { id: 'd-3' });
    expect(hold.operation).toEqual({ kind: 'mcp.tools/call', name: 'publish' });
    const page = await (await fetch(`${base}/aap-admin/console/holds/${hold.id}`, { headers: ADMIN })).text();
    expect(page).toMatch(/<code class="operation">publish<\/code>/);
  });
});
