// A Streamable-HTTP MCP server protected by aap-guard: every HTTP request to /mcp gets one decision —
// the token verified (else 401 with WWW-Authenticate), a tools/call authorized for its tool's AAP action
// (else a JSON-RPC error with the reason), tools/list showing only the tools the token may call.
import express from 'express';
import { createGuard, optionsFromEnv } from '@aap-guard/core';
import { mcpGuard } from '@aap-guard/core/mcp';
import { aapAdminRouter } from '@aap-guard/express';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isAdminKey } from '../shared/demo-support.mjs';
import { createMcpServer, TOOL_ACTIONS } from './tools.mjs';

/**
 * Build the app. `options` are guard options (without them: AAP_ISSUER, AAP_AUDIENCE, AAP_JWKS_URI). The
 * resource is the (first) audience; its RFC 9728 metadata is served here and advertised in every
 * challenge unless `resourceMetadata` says otherwise. With an `adminKey`, people holding it approve or
 * deny held tool calls under `/aap-admin`.
 */
export function createApp(options, { adminKey } = {}) {
  const given = options ?? optionsFromEnv(process.env).options;
  const resource = [given.audience ?? []].flat()[0];
  // RFC 9728 §3.1: the metadata of https://host/path is at https://host/.well-known/oauth-protected-resource/path.
  const metadataPath = URL.canParse(resource) ? `/.well-known/oauth-protected-resource${new URL(resource).pathname.replace(/\/$/, '')}` : undefined;
  const guard = createGuard({ ...(metadataPath && { resourceMetadata: new URL(metadataPath, resource).href }), ...given });
  const mcp = mcpGuard(guard, { tools: TOOL_ACTIONS });
  const app = express();
  app.disable('x-powered-by');

  // For people, not agents: protected by its own authorize().
  if (adminKey) {
    app.use('/aap-admin', aapAdminRouter({ guard, authorize: (req) => isAdminKey(req.get('x-admin-key'), adminKey), actor: () => 'example-admin' }));
  }

  // RFC 9728: where an MCP client learns which authorization server issues tokens for this resource.
  app.get(metadataPath, (_req, res) => {
    const issuers = [given.issuer].flat().map((entry) => (typeof entry === 'string' ? entry : entry.issuer));
    res.json({ resource, authorization_servers: issuers, bearer_methods_supported: ['header'], dpop_signing_alg_values_supported: guard.options.pop.dpopAlgorithms });
  });

  app.all('/mcp', async (req, res) => {
    const admission = await mcp.admit(req, res); // first, before any other await: it watches the body
    if (!admission.admitted) return; // refused; the response is written
    if (req.method !== 'POST') {
      // Stateless: no server-sent stream to resume (GET) and no session to end (DELETE).
      res.status(405).set('allow', 'POST').json({ jsonrpc: '2.0', id: null, error: { code: -32000, message: 'Method not allowed.' } });
      return;
    }
    const server = createMcpServer(admission.tools, admission.principal);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      transport.close();
      server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, admission.body);
  });

  return { app, guard };
}
