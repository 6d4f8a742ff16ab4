import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGuard, type AuditEvent, type Guard, type GuardOptions } from '@aap-guard/core';
import { MCP_DENIED, canonicalJson, mcpGuard, toolCallDigest, type McpGuardOptions } from '@aap-guard/mcp';
import { createDpopKey, createIssuer, dpopProof, type TestIssuer } from '@aap-guard/testing';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

// mcpGuard over a real node:http server, with plain HTTP requests: what the MCP SDK client never sends
// (batches, broken bodies, a DPoP proof replayed, a hold id in two places). test/examples/mcp.test.ts
// drives the example with the SDK's own client.

let as: TestIssuer;
beforeAll(async () => {
  as = await createIssuer();
});
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

const TOOLS = {
  search: { action: 'search.web', target: (args: Readonly<Record<string, unknown>>) => args.url },
  publish: 'cms.publish',
  report: { action: 'tasks.report', taskIdFrom: 'param:task' as const },
  broken: {
    action: 'x.broken',
    target: () => {
      throw new Error('boom');
    },
  },
};

/** A server whose /mcp answers what `admit` admitted (the tools, the body) as JSON. */
async function serve(guardOptions: Partial<GuardOptions> = {}, options: Partial<McpGuardOptions> = {}) {
  const events: AuditEvent[] = [];
  const guard: Guard = createGuard({
    issuer: as.issuer,
    audience: as.audience,
    jwks: as.jwks,
    logger: false,
    audit: (e) => events.push(e),
    ...guardOptions,
  });
  const mcp = mcpGuard(guard, { tools: TOOLS, ...options });
  const server = createServer((req, res) => {
    void mcp.admit(req, res).then((admission) => {
      if (admission.admitted)
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ ...admission, principal: admission.principal?.claims.agent.id ?? null }));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  const post = async (body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, any> };
  };
  return { url, post, events, guard };
}

const call = (name: string, args: unknown, extra: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0',
  id: 9,
  method: 'tools/call',
  params: { name, arguments: args, ...extra },
});
const held = {
  capabilities: [{ action: 'cms.publish' }],
  sections: { oversight: { requires_human_approval_for: ['cms.publish'] } },
};

describe('toolCallDigest: what a hold on a tool call binds', () => {
  it('names the call, not its encoding: member order and whitespace aside, the same; other arguments, another', () => {
    const a = toolCallDigest('publish', JSON.parse('{"id":"d-1","tags":["a","b"],"meta":{"x":1,"y":null}}'));
    const b = toolCallDigest(
      'publish',
      JSON.parse('{ "meta" : { "y" : null, "x" : 1 }, "tags" : [ "a", "b" ], "id" : "d-1" }'),
    );
    expect(a).toBe(b);
    expect(toolCallDigest('publish', { id: 'd-2', tags: ['a', 'b'], meta: { x: 1, y: null } })).not.toBe(a);
    expect(toolCallDigest('publish', { id: 'd-1', tags: ['b', 'a'], meta: { x: 1, y: null } })).not.toBe(a); // arrays keep their order
    expect(toolCallDigest('unpublish', JSON.parse('{"id":"d-1","tags":["a","b"],"meta":{"x":1,"y":null}}'))).not.toBe(
      a,
    );
    expect(canonicalJson({ b: [1, 'é', { d: true, c: 1.5e-7 }], a: null })).toBe(
      '{"a":null,"b":[1,"é",{"c":1.5e-7,"d":true}]}',
    );
  });

  it('refuses arguments nested past 256 levels (RangeError), instead of overflowing the stack', () => {
    const deep = JSON.parse('['.repeat(5000) + ']'.repeat(5000));
    expect(() => toolCallDigest('search', deep)).toThrow(RangeError);
  });
});

describe('mcpGuard', () => {
  it('is configured once: a bad tool declaration is a TypeError naming the tool', () => {
    const guard = createGuard({ issuer: as.issuer, audience: as.audience, jwks: as.jwks, logger: false });
    expect(() => mcpGuard(guard, { tools: { 'bad tool': 'Not An Action!' } })).toThrow(
      /options\.tools\["bad tool"\]: route\.action must be an action name/,
    );
    expect(() => mcpGuard(guard, { tools: { search: { action: 'search.web', target: 'url' as never } } })).toThrow(
      /options\.tools\["search"\]: target must be a function/,
    );
    expect(() => mcpGuard(guard, { tools: {} })).toThrow(/options\.tools must map each tool name/);
    expect(() => mcpGuard(guard, { tools: TOOLS, maxBodyBytes: 0 })).toThrow(/options\.maxBodyBytes/);
  });

  it('answers a refused call with a JSON-RPC error to its id, HTTP 200, one audit event', async () => {
    const { post, events } = await serve();
    const token = await as.mint({ capabilities: [{ action: 'search.web' }] });
    const res = await post(call('publish', { id: 'd-1' }), { authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('www-authenticate'), 'no HTTP challenge on a JSON-RPC error').toBeNull();
    expect(res.json).toEqual({
      jsonrpc: '2.0',
      id: 9,
      error: {
        code: MCP_DENIED,
        message: 'No capability authorizes this request',
        data: {
          error: 'aap_invalid_capability',
          error_description: 'No capability authorizes this request',
          reason: 'capability_missing',
        },
      },
    });
    expect(events.map((e) => [e.decision, e.reason, e.action])).toEqual([
      ['deny', 'capability_missing', 'cms.publish'],
    ]);
  });

  it('reads the body only after the token verified, and admits what is not a tools/call with the tools to list', async () => {
    const { post, events } = await serve();
    const token = await as.mint({ capabilities: [{ action: 'search.web' }] });
    const res = await post({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { authorization: `Bearer ${token}` });
    expect(res.json).toMatchObject({
      admitted: true,
      tools: ['search'],
      body: { method: 'tools/list' },
      principal: 'agent-researcher-01',
    });
    // Without a token the body is never parsed: 401, not 400.
    const anonymous = await post('{"not json');
    expect(anonymous).toMatchObject({ status: 401, json: { reason: 'credentials_missing' } });
    expect(events.map((e) => e.decision)).toEqual(['allow', 'deny']);
  });

  it('refuses a tools/call inside a JSON-RPC batch (400), and admits a batch without one', async () => {
    const { post } = await serve();
    const token = await as.mint({ capabilities: [{ action: 'search.web' }] });
    const batch = await post([call('search', { url: 'https://a.example/' }), call('publish', {})], {
      authorization: `Bearer ${token}`,
    });
    expect(batch.status).toBe(400);
    expect(batch.json).toMatchObject({ reason: 'request_invalid' });
    const notifications = await post([{ jsonrpc: '2.0', method: 'notifications/initialized' }], {
      authorization: `Bearer ${token}`,
    });
    expect(notifications.json).toMatchObject({ admitted: true });
  });

  it('refuses a tools/call without an id (a notification), or another id than MCP allows: 400, no hold', async () => {
    const { post, events, guard } = await serve();
    const auth = { authorization: `Bearer ${await as.mint(held)}` };
    const { id: _id, ...notification } = call('publish', { id: 'd-1' });
    const ids = [null, { n: 1 }, true];
    for (const body of [notification, ...ids.map((id) => ({ ...notification, id }))]) {
      const res = await post(body, auth);
      expect(res).toMatchObject({ status: 400, json: { error: 'invalid_request', reason: 'request_invalid' } });
      expect(res.json).not.toHaveProperty('jsonrpc');
    }
    const audited = events.map((e) => [e.decision, e.reason, e.detail?.check]);
    expect(audited).toEqual(Array(4).fill(['deny', 'request_invalid', 'mcp.call_id']));
    expect(await guard.holds.list({})).toEqual([]);
    const answered = await post(call('publish', { id: 'd-1' }), auth); // the same call as a request: held
    expect(answered.json.error.data).toMatchObject({ reason: 'approval_required' });
  });

  it('refuses a body that is not JSON (400) or larger than maxBodyBytes (413), audited', async () => {
    const { post, events } = await serve({}, { maxBodyBytes: 64 });
    const token = await as.mint({ capabilities: [{ action: 'search.web' }] });
    expect(await post('{"jsonrpc":', { authorization: `Bearer ${token}` })).toMatchObject({
      status: 400,
      json: { reason: 'request_invalid' },
    });
    expect(
      await post(call('search', { url: 'https://a.example/'.padEnd(100, 'x') }), { authorization: `Bearer ${token}` }),
    ).toMatchObject({ status: 413, json: { reason: 'request_too_large' } });
    expect(events.map((e) => e.reason)).toEqual(['request_invalid', 'request_too_large']);
  });

  it('checks a DPoP-bound call with its one proof, consumed once: the same proof again is 401 dpop_replay over HTTP', async () => {
    const { url, post, events } = await serve();
    const key = await createDpopKey();
    const token = await as.mint({ jkt: key.jkt, capabilities: [{ action: 'search.web' }] });
    const headers = {
      authorization: `DPoP ${token}`,
      dpop: await dpopProof({ key, method: 'POST', url, accessToken: token }),
    };
    expect(await post(call('search', { url: 'https://a.example/' }), headers)).toMatchObject({
      status: 200,
      json: { admitted: true, tool: 'search' },
    });
    const replay = await post(call('search', { url: 'https://a.example/' }), headers);
    expect(replay.status).toBe(401);
    expect(replay.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_dpop_proof"/);
    expect(events.map((e) => [e.decision, e.reason])).toEqual([
      ['allow', undefined],
      ['deny', 'dpop_replay'],
    ]);
  });

  it('takes the hold id from an AAP-Hold-Id header too; a header and _meta that differ match no hold', async () => {
    const { post, guard } = await serve();
    const auth = { authorization: `Bearer ${await as.mint(held)}` };
    const first = await post(call('publish', { id: 'd-1' }), auth);
    const hold = first.json.error.data.hold_id as string;
    expect(first.headers.get('aap-hold-id')).toBe(hold);
    expect((await guard.holds.approve(hold, { by: 'alice' })).ok).toBe(true);
    const other = `${hold.slice(0, 8)}${'A'.repeat(24)}`;
    const both = await post(call('publish', { id: 'd-1' }, { _meta: { 'aap/hold_id': hold } }), {
      ...auth,
      'aap-hold-id': other,
    });
    expect(both.json.error.data).toMatchObject({ reason: 'hold_mismatch' });
    const header = await post(call('publish', { id: 'd-1' }), { ...auth, 'aap-hold-id': hold });
    expect(header.json).toMatchObject({ admitted: true, tool: 'publish' });
  });

  it("binds the token's task to a call argument (taskIdFrom: 'param:<argument>') and checks the target argument", async () => {
    const { post } = await serve();
    const auth = {
      authorization: `Bearer ${await as.mint({ taskId: 'task-7', capabilities: [{ action: 'tasks.report' }, { action: 'search.web', constraints: { domains_allowed: ['a.example'] } }] })}`,
    };
    expect((await post(call('report', { task: 'task-8' }), auth)).json.error.data).toMatchObject({
      reason: 'task_mismatch',
    });
    expect((await post(call('report', { task: 'task-7' }), auth)).json).toMatchObject({
      admitted: true,
      tool: 'report',
    });
    expect((await post(call('search', { url: 'https://b.example/' }), auth)).json.error.data).toMatchObject({
      reason: 'domain_not_allowed',
    });
    expect((await post(call('search', { url: ['https://a.example/'] }), auth)).status).toBe(400); // not one string: request_invalid
  });

  it('answers a tool whose target function throws with an audited 503, never a 500', async () => {
    const { post, events } = await serve();
    const res = await post(call('broken', {}), {
      authorization: `Bearer ${await as.mint({ capabilities: [{ action: 'x.broken' }] })}`,
    });
    expect(res).toMatchObject({ status: 503, json: { reason: 'internal_error' } });
    expect(events.map((e) => e.reason)).toEqual(['internal_error']);
  });

  it('under authRequired: false, lets a request without AAP credentials through unread, without a principal', async () => {
    const { post } = await serve({ authRequired: false });
    const res = await post({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    expect(res.json).toEqual({ admitted: true, principal: null, tools: [] });
  });
});
