/**
 * Regression (issue 25, item 5): README's MCP server, followed literally, answered 404 at the RFC 9728
 * document every 401 and 403 of `admit()` points to (`resource_metadata`), so an MCP client could not start
 * its OAuth flow: nothing in `@aap-guard/mcp` served it, and an application had to reach into
 * `@aap-guard/core/node`. Now `mcp.serveMetadata` answers it (RFC 9728 §3.1: at the root, path-suffixed for
 * the resource's path), as Express middleware or from a plain `node:http` handler. Real HTTP, the SDK's
 * transport behind the guard.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createGuard } from '@aap-guard/core';
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

function mcpOf() {
  const guard = createGuard({ issuer: as.issuer, audience: as.audience, jwks: as.jwks, logger: false });
  return mcpGuard(guard, {
    tools: { search_web: { action: 'search.web', target: (args) => args.url }, publish: 'cms.publish' },
  });
}

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function expectDocument(base: string): Promise<void> {
  const refused = await fetch(`${base}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  expect(refused.status).toBe(401);
  const named = /resource_metadata="([^"]+)"/.exec(refused.headers.get('www-authenticate') ?? '')?.[1];
  expect(named).toBe('https://mcp.example.test/.well-known/oauth-protected-resource/mcp');
  for (const path of [new URL(named as string).pathname, '/.well-known/oauth-protected-resource']) {
    const response = await fetch(`${base}${path}`);
    expect(response.status, path).toBe(200);
    expect(await response.json()).toMatchObject({
      resource: 'https://mcp.example.test/mcp',
      authorization_servers: [as.issuer],
      aap_actions_supported: ['cms.publish', 'search.web'],
    });
  }
  expect((await fetch(`${base}/.well-known/oauth-protected-resource/other`)).status).toBe(404);
}

describe("an MCP server's RFC 9728 document", () => {
  it('is served by mcp.serveMetadata as Express middleware (README)', async () => {
    const mcp = mcpOf();
    const app = express();
    app.use(mcp.serveMetadata);
    app.post('/mcp', async (req, res) => {
      const admission = await mcp.admit(req, res);
      if (!admission.admitted) return;
      res.json({ jsonrpc: '2.0', id: 1, result: {} });
    });
    await expectDocument(await listen(app));
  });

  it('is served by mcp.serveMetadata from a node:http handler', async () => {
    const mcp = mcpOf();
    const base = await listen(async (req, res) => {
      if (mcp.serveMetadata(req, res)) return;
      if (req.url !== '/mcp') return void res.writeHead(404).end();
      const admission = await mcp.admit(req, res);
      if (admission.admitted) res.end('{}');
    });
    await expectDocument(base);
  });
});
