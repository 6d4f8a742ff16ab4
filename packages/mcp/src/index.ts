/**
 * @aap-guard/mcp — protect a Streamable-HTTP Model Context Protocol server with aap-guard: each tool
 * declares its AAP action; each `tools/call` is authorized as a request for that action.
 */
export { mcpGuard, type McpGuard, type McpGuardOptions, type McpAdmission } from './mcp-guard.js';
export type { McpTools, McpToolDeclaration } from './tools.js';
export { MCP_DENIED } from './respond.js';
export { HOLD_META, toolCallDigest } from './tool-call.js';
export { canonicalJson } from './canonical-json.js';
