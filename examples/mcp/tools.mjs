// The MCP server's tools. Each declares the AAP action it performs (`aap`): the guard authorizes every
// call as a request for that action, and lists a tool only to tokens whose capabilities name its action.
import { randomUUID } from 'node:crypto';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

const text = (value) => ({
  content: [{ type: 'text', text: typeof value === 'string' ? value : JSON.stringify(value) }],
});

export const TOOLS = {
  search_web: {
    // The target is what domains_allowed / domains_blocked are checked against.
    aap: { action: 'search.web', target: (args) => args.url },
    description: 'Search a web page for a query',
    inputSchema: { url: z.string().url(), query: z.string().max(200).optional() },
    run: ({ url }) => text({ url, results: [{ title: 'OAuth 2.0', snippet: 'An authorization framework…' }] }),
  },
  create_draft: {
    aap: { action: 'cms.create_draft' },
    description: 'Create a draft article',
    inputSchema: { title: z.string().max(200) },
    run: ({ title }) => text({ id: randomUUID(), title, status: 'draft' }),
  },
  publish: {
    // Under oversight when the token lists cms.publish in requires_human_approval_for: a human approves
    // THIS call (tool and arguments); the approved retry carries the hold id in `_meta`.
    aap: { action: 'cms.publish' },
    description: 'Publish a draft',
    inputSchema: { id: z.string().max(100) },
    run: ({ id }) => text({ id, status: 'published' }),
  },
};

/** The tools' AAP declarations, by name: what `mcpGuard()` enforces. */
export const TOOL_ACTIONS = Object.fromEntries(Object.entries(TOOLS).map(([name, tool]) => [name, tool.aap]));

/**
 * An MCP server offering only `names` (the tools the caller's token may call): `tools/list` shows those.
 * @param {readonly string[]} names
 * @param {{ claims: { agent: { id: string } } }} principal the verified caller
 */
export function createMcpServer(names, principal) {
  const server = new McpServer({ name: 'aap-guard-example', version: '1.0.0' });
  for (const name of names) {
    const { aap, description, inputSchema, run } = TOOLS[name];
    server.registerTool(name, { description, inputSchema, _meta: { 'aap/action': aap.action } }, async (args) => {
      const result = run(args);
      return { ...result, _meta: { 'aap/agent': principal.claims.agent.id } };
    });
  }
  return server;
}
