/**
 * examples/mcp, driven by the MCP SDK's own Client over the Streamable HTTP transport, over real HTTP on
 * 127.0.0.1: an allowed tool; a refused tool (a JSON-RPC error with the reason); tools/list filtered by the
 * token's capabilities; a rate-limited tool; a held tool approved by a person and retried once; and the
 * authorization spec's HTTP answers (401 with WWW-Authenticate and resource_metadata, 403 insufficient_scope).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import type { AuditEvent } from '@aap-guard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: the examples are plain JavaScript (they run the built packages); here vitest aliases them to src
import { createApp } from '../../examples/mcp/app.mjs';
// @ts-expect-error: plain JavaScript
import { listenNode } from '../../examples/shared/serve-example.mjs';
// @ts-expect-error: plain JavaScript
import { startExample } from '../../examples/shared/readme-requests.mjs';

const ADMIN_KEY = 'test-admin-key';
const WIKI = 'https://en.wikipedia.org/wiki/OAuth';

let as: TestIssuer;
let server: { url: string; close: () => Promise<unknown> };
const audit: AuditEvent[] = [];

beforeAll(async () => {
  as = await createIssuer({ audience: 'https://mcp.example.test/mcp' });
  const options = {
    issuer: as.issuer,
    audience: as.audience,
    jwks: as.jwks,
    logger: false,
    audit: (event: AuditEvent) => audit.push(event),
  };
  server = await listenNode(createApp(options, { adminKey: ADMIN_KEY }), { port: 0, host: '127.0.0.1' });
});
afterAll(() => server?.close());

/** An MCP client of the example, sending `token` (and any other headers) on every request. */
async function connect(token: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'aap-guard-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${token}`, ...headers } },
  });
  await client.connect(transport);
  return client;
}

/** The McpError a call rejects with. */
async function refusal(call: Promise<unknown>): Promise<McpError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(McpError);
  return error as McpError;
}

const textOf = (result: unknown): unknown => JSON.parse((result as { content: { text: string }[] }).content[0]!.text);

describe('examples/mcp with the MCP SDK client', () => {
  it('calls an allowed tool, and tools/list shows only the tools whose action the token holds', async () => {
    const writer = await connect(
      await as.mint({
        capabilities: [
          { action: 'search.web', constraints: { domains_allowed: ['wikipedia.org'] } },
          { action: 'cms.create_draft' },
        ],
      }),
    );
    const searcher = await connect(
      await as.mint({ agentId: 'agent-search-02', capabilities: [{ action: 'search.web' }] }),
    );
    try {
      const listed = await writer.listTools();
      expect(listed.tools.map((tool) => tool.name).sort()).toEqual(['create_draft', 'search_web']);
      expect(listed.tools.find((tool) => tool.name === 'search_web')?._meta).toEqual({ 'aap/action': 'search.web' });
      expect((await searcher.listTools()).tools.map((tool) => tool.name)).toEqual(['search_web']);

      const result = await writer.callTool({ name: 'search_web', arguments: { url: WIKI, query: 'oauth' } });
      expect(result.isError).toBeFalsy();
      expect(textOf(result)).toMatchObject({ url: WIKI });
      expect(audit.at(-1)).toMatchObject({ decision: 'allow', action: 'search.web' });
    } finally {
      await Promise.all([writer.close(), searcher.close()]);
    }
  });

  it('refuses a tool the token holds no capability for, and a constraint it violates, as JSON-RPC errors with the reason', async () => {
    const searcher = await connect(
      await as.mint({ capabilities: [{ action: 'search.web', constraints: { domains_allowed: ['wikipedia.org'] } }] }),
    );
    try {
      const missing = await refusal(searcher.callTool({ name: 'create_draft', arguments: { title: 'x' } }));
      expect(missing.code).toBe(-32003);
      expect(missing.data).toEqual({
        error: 'aap_invalid_capability',
        error_description: 'No capability authorizes this request',
        reason: 'capability_missing',
      });
      expect(audit.at(-1)).toMatchObject({
        decision: 'deny',
        reason: 'capability_missing',
        action: 'cms.create_draft',
      });

      const domain = await refusal(
        searcher.callTool({ name: 'search_web', arguments: { url: 'https://evil.example/' } }),
      );
      expect(domain.data).toMatchObject({ error: 'aap_domain_not_allowed', reason: 'domain_not_allowed' });
      expect(JSON.stringify(domain.data)).not.toContain('wikipedia'); // no policy value leaks

      const undeclared = await refusal(searcher.callTool({ name: 'delete_everything', arguments: {} }));
      expect(undeclared.data).toMatchObject({ reason: 'route_undeclared' });
    } finally {
      await searcher.close();
    }
  });

  it('refuses a call over the rate limit with reason rate_limited and when to retry', async () => {
    const drafter = await connect(
      await as.mint({ capabilities: [{ action: 'cms.create_draft', constraints: { max_drafts_per_day: 1 } }] }),
    );
    try {
      expect(textOf(await drafter.callTool({ name: 'create_draft', arguments: { title: 'first' } }))).toMatchObject({
        title: 'first',
        status: 'draft',
      });
      const limited = await refusal(drafter.callTool({ name: 'create_draft', arguments: { title: 'second' } }));
      expect(limited.code).toBe(-32003);
      expect(limited.data).toMatchObject({ error: 'aap_constraint_violation', reason: 'rate_limited' });
      expect((limited.data as { retry_after: number }).retry_after).toBeGreaterThan(0);
    } finally {
      await drafter.close();
    }
  });

  it('holds a call under oversight; after a person approves it, the same call with the hold id in _meta runs once', async () => {
    const token = await as.mint({
      capabilities: [{ action: 'cms.publish' }],
      sections: {
        oversight: {
          requires_human_approval_for: ['cms.publish'],
          approval_reference: 'https://approvals.example.com/policy/7',
        },
      },
    });
    const agent = await connect(token);
    try {
      const held = await refusal(agent.callTool({ name: 'publish', arguments: { id: 'd-1' } }));
      const { hold_id: hold, reason, approval_reference } = held.data as Record<string, string>;
      expect({ reason, approval_reference }).toEqual({
        reason: 'approval_required',
        approval_reference: 'https://approvals.example.com/policy/7',
      });

      const pending = await refusal(
        agent.callTool({ name: 'publish', arguments: { id: 'd-1' }, _meta: { 'aap/hold_id': hold } }),
      );
      expect(pending.data).toMatchObject({ reason: 'hold_pending', hold_id: hold });

      const approve = await fetch(`${server.url}/aap-admin/holds/${hold}/approve`, {
        method: 'POST',
        headers: { 'x-admin-key': ADMIN_KEY, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(approve.status).toBe(200);

      // Other arguments are another call: the approval does not cover them (and is not spent by them).
      const other = await refusal(
        agent.callTool({ name: 'publish', arguments: { id: 'd-2' }, _meta: { 'aap/hold_id': hold } }),
      );
      expect(other.data).toMatchObject({ reason: 'hold_mismatch' });

      // A new JSON-RPC id, the same tool and arguments: the call the person approved.
      const published = await agent.callTool({
        name: 'publish',
        arguments: { id: 'd-1' },
        _meta: { 'aap/hold_id': hold },
      });
      expect(textOf(published)).toEqual({ id: 'd-1', status: 'published' });
      expect(audit.at(-1)).toMatchObject({ decision: 'allow', action: 'cms.publish' });

      const replay = await refusal(
        agent.callTool({ name: 'publish', arguments: { id: 'd-1' }, _meta: { 'aap/hold_id': hold } }),
      );
      expect(replay.data).toMatchObject({ reason: 'hold_used' });
    } finally {
      await agent.close();
    }
  });
});

describe('examples/mcp: the MCP authorization spec over HTTP', () => {
  const post = (headers: Record<string, string>) =>
    fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });

  it('answers a request without a token, or with an invalid one, 401 with WWW-Authenticate and resource_metadata', async () => {
    const metadata = 'https://mcp.example.test/.well-known/oauth-protected-resource/mcp';
    const missing = await post({});
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toContain(`Bearer resource_metadata="${metadata}"`);
    const invalid = await post({ authorization: 'Bearer not-a-token' });
    expect(invalid.status).toBe(401);
    expect(invalid.headers.get('www-authenticate')).toMatch(
      /^Bearer error="invalid_token", .*resource_metadata="https:\/\/mcp\.example\.test\//,
    );
    expect(await invalid.json()).toMatchObject({ reason: 'token_malformed' });

    // The SDK client sees the same 401 (and, given an authProvider, would start the OAuth flow).
    const client = new Client({ name: 'no-token', version: '1.0.0' });
    const error = await client
      .connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`)))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamableHTTPError);
    expect((error as StreamableHTTPError).code).toBe(401);

    // The metadata document is served where resource_metadata points (RFC 9728 §3.1).
    const document = await fetch(`${server.url}/.well-known/oauth-protected-resource/mcp`);
    expect(await document.json()).toMatchObject({
      resource: 'https://mcp.example.test/mcp',
      authorization_servers: [as.issuer],
      bearer_methods_supported: ['header'],
    });
  });

  it('answers a valid token that grants no tool of this server 403 with an insufficient_scope challenge', async () => {
    const res = await post({ authorization: `Bearer ${await as.mint({ capabilities: [{ action: 'files.read' }] })}` });
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toMatch(
      /^Bearer error="insufficient_scope", error_description="[^"]+", resource_metadata="https:\/\/mcp\.example\.test\//,
    );
    expect(await res.json()).toMatchObject({ error: 'aap_invalid_capability', reason: 'capability_missing' });
  });
});

const built = ['core', 'express', 'testing'].every((name) =>
  existsSync(new URL(`../../packages/${name}/dist/index.js`, import.meta.url)),
);
describe.skipIf(!built)('examples/mcp as `npm run example:mcp` starts it', () => {
  it('starts alone (demo mode, built packages); the demo searcher lists and calls its one tool', async () => {
    const started = await startExample(fileURLToPath(new URL('../../examples/mcp/server.mjs', import.meta.url)));
    try {
      const client = new Client({ name: 'demo', version: '1.0.0' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${started.url}/mcp`), {
          requestInit: { headers: { authorization: `Bearer ${started.tokens.SEARCHER}` } },
        }),
      );
      expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['search_web']);
      expect(textOf(await client.callTool({ name: 'search_web', arguments: { url: WIKI } }))).toMatchObject({
        url: WIKI,
      });
      await client.close();
    } finally {
      await started.stop();
    }
  });
});
