/**
 * Regression (issue 23, item 14): an MCP `tools/call` sent as a JSON-RPC notification (no `id` member) was
 * authorized like a request: it created a hold (and could consume a rate limit or an approval), and the
 * guard answered it with a JSON-RPC error (`id: null`). JSON-RPC 2.0 §4.1: the server MUST NOT reply to a
 * notification, and a call that gets no answer must not change any state. MCP's Streamable HTTP transport
 * (2025-06-18 / 2025-11-25, "Sending Messages to the Server"): a POST of a notification the server does not
 * accept gets an HTTP error status (400). Now such a call is refused before authorization with HTTP 400
 * `request_invalid` — the guard's deny body, not a JSON-RPC response — and audited; nothing else happens.
 * Driven by the MCP SDK's own client transport against examples/mcp over real HTTP.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { AuditEvent } from '@aap-guard/core';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: the examples are plain JavaScript (vitest aliases their imports to src)
import { createApp } from '../../examples/mcp/app.mjs';
// @ts-expect-error: plain JavaScript
import { listenNode } from '../../examples/shared/serve-example.mjs';

const ADMIN_KEY = 'test-admin-key';
let as: TestIssuer;
let server: { url: string; close: () => Promise<unknown> };
const audit: AuditEvent[] = [];

beforeAll(async () => {
  as = await createIssuer({ audience: 'https://mcp.example.test/mcp' });
  const sink = (event: AuditEvent) => void audit.push(event);
  const options = { issuer: as.issuer, audience: as.audience, jwks: as.jwks, logger: false, audit: sink };
  server = await listenNode(createApp(options, { adminKey: ADMIN_KEY }), { port: 0, host: '127.0.0.1' });
});
afterAll(() => server?.close());

const ADMIN_HEADERS = { 'x-admin-key': ADMIN_KEY, 'content-type': 'application/json' };
const admin = (path: string, init: RequestInit = {}) =>
  fetch(`${server.url}/aap-admin${path}`, { ...init, headers: ADMIN_HEADERS });
/** A token whose `cms.publish` is held for a person's approval. */
const publisherToken = (agentId: string) => {
  const sections = { oversight: { requires_human_approval_for: ['cms.publish'] } };
  return as.mint({ agentId, capabilities: [{ action: 'cms.publish' }], sections });
};

/** An initialized SDK client, and its transport for sending raw messages. */
async function connect(token: string) {
  const requestInit = { headers: { authorization: `Bearer ${token}` } };
  const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit });
  const client = new Client({ name: 'notifier', version: '1.0.0' });
  await client.connect(transport);
  /** `tools/call` without an `id`: a notification. */
  const notify = (name: string, args: unknown, meta?: Record<string, string>) => {
    const params = { name, arguments: args, ...(meta ? { _meta: meta } : {}) };
    return transport.send({ jsonrpc: '2.0', method: 'tools/call', params } as never);
  };
  return { client, notify };
}

const refusal = (sent: Promise<unknown>) =>
  sent.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('an MCP tools/call sent as a notification', () => {
  it('creates no hold, gets no JSON-RPC reply, and is refused over HTTP (400 request_invalid), audited', async () => {
    const token = await publisherToken('agent-notifier-1');
    const { client, notify } = await connect(token);
    try {
      const error = await refusal(notify('publish', { id: 'd-1' }));
      expect(error).toBeInstanceOf(StreamableHTTPError);
      expect((error as StreamableHTTPError).code).toBe(400);
      expect(audit.at(-1)).toMatchObject({ decision: 'deny', reason: 'request_invalid' });
      const holds = (await (await admin('/holds?agentId=agent-notifier-1')).json()) as { holds: unknown[] };
      expect(holds.holds).toEqual([]);
    } finally {
      await client.close();
    }
    const accept = 'application/json, text/event-stream';
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept };
    const params = { name: 'publish', arguments: { id: 'd-1' } };
    const notification = { jsonrpc: '2.0', method: 'tools/call', params };
    const raw = await fetch(`${server.url}/mcp`, { method: 'POST', headers, body: JSON.stringify(notification) });
    expect(raw.status).toBe(400);
    const body = (await raw.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ error: 'invalid_request', reason: 'request_invalid' });
    expect(body).not.toHaveProperty('jsonrpc');
    expect(body).not.toHaveProperty('id');
  });

  it('consumes no rate limit and no approval: the calls after it are decided as if it had not been sent', async () => {
    const capabilities = [{ action: 'cms.create_draft', constraints: { max_drafts_per_day: 1 } }];
    const drafter = await connect(await as.mint({ capabilities }));
    const publisher = await connect(await publisherToken('agent-notifier-2'));
    try {
      await refusal(drafter.notify('create_draft', { title: 'ghost' }));
      const drafted = await drafter.client.callTool({ name: 'create_draft', arguments: { title: 'first' } });
      expect(drafted.isError).toBeFalsy();

      const held = await refusal(publisher.client.callTool({ name: 'publish', arguments: { id: 'd-1' } }));
      const hold = (held as { data: { hold_id: string } }).data.hold_id;
      expect((await admin(`/holds/${hold}/approve`, { method: 'POST', body: '{}' })).status).toBe(200);
      const meta = { 'aap/hold_id': hold };
      await refusal(publisher.notify('publish', { id: 'd-1' }, meta));
      const published = await publisher.client.callTool({ name: 'publish', arguments: { id: 'd-1' }, _meta: meta });
      expect(published.isError).toBeFalsy();
    } finally {
      await Promise.all([drafter.client.close(), publisher.client.close()]);
    }
  });
});
