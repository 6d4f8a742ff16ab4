// A Streamable-HTTP MCP server protected by aap-guard: every HTTP request to /mcp gets one decision —
// the token verified (else 401 with WWW-Authenticate), a tools/call authorized for its tool's AAP action
// (else a JSON-RPC error with the reason), tools/list showing only the tools the token may call.
import express from 'express';
import { createGuard, optionsFromEnv } from '@aap-guard/core';
import { mcpGuard } from '@aap-guard/mcp';
import { aapAdmin } from '@aap-guard/admin/express';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isAdminKey } from '../shared/demo-support.mjs';
import { createMcpServer, TOOL_ACTIONS } from './tools.mjs';

/**
 * Build the app. `options` are guard options (without them: AAP_ISSUER, AAP_AUDIENCE, AAP_JWKS_URI). The
 * resource is the (first) audience; its RFC 9728 metadata is served here and advertised in every
 * challenge. With an `adminKey`, people holding it approve or deny held tool calls under `/aap-admin`.
 */
export function createApp(options, { adminKey } = {}) {
  const guard = createGuard(options ?? optionsFromEnv(process.env).options);
  const mcp = mcpGuard(guard, { tools: TOOL_ACTIONS });
  const app = express();
  app.disable('x-powered-by');

  // For people, not agents: protected by its own authorize().
  if (adminKey) {
    app.use(
      '/aap-admin',
      aapAdmin({
        guard,
        authorize: (req) => isAdminKey(req.get('x-admin-key'), adminKey),
        actor: () => 'example-admin',
      }),
    );
  }

  // RFC 9728: where an MCP client learns which authorization server issues tokens for this resource
  // (and, in aap_actions_supported, the actions of its tools).
  app.use(mcp.serveMetadata);

  app.all('/mcp', async (req, res) => {
    const admission = await mcp.admit(req, res); // first, before any other await: it watches the body
    if (!admission.admitted) return; // refused; the response is written
    if (req.method !== 'POST') {
      // Stateless: no server-sent stream to resume (GET) and no session to end (DELETE).
      res
        .status(405)
        .set('allow', 'POST')
        .json({ jsonrpc: '2.0', id: null, error: { code: -32000, message: 'Method not allowed.' } });
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
