import type { ServerResponse } from 'node:http';
import type { Decision } from '@aap-guard/core';
import { writeDeny } from '@aap-guard/core/node';

/**
 * The JSON-RPC error code of a tool call the guard refused (JSON-RPC 2.0 §5.1 leaves -32000…-32099 to the
 * implementation; MCP uses -32000, -32001, -32002 and -32042). `error.data.reason` says why, stably.
 *
 * @example
 * // with the MCP SDK client:
 * import { McpError } from '@modelcontextprotocol/sdk/types.js';
 * try { await client.callTool({ name: 'search', arguments: { q: 'x' } }); }
 * catch (error) { if (error instanceof McpError && error.code === MCP_DENIED) console.log((error.data as { reason:
 * string }).reason); }
 */
export const MCP_DENIED = -32003;

/**
 * Whether a deny of a tool call is answered at the HTTP level rather than as that call's JSON-RPC error:
 * 401 (the token or its proof — the MCP authorization spec requires 401 there, so the client can get a new
 * token), 400 (the request itself), 503 (this server, not the call). Everything else concerns this call
 * (capability, constraint, rate limit, oversight, size) and is the call's JSON-RPC error.
 */
export const answeredOverHttp = (decision: Decision): boolean =>
  decision.status === 401 || decision.status === 400 || decision.status === 503;

/**
 * Answer a tool call the guard refused: HTTP 200 with a JSON-RPC error response to `id` — code
 * `MCP_DENIED`, the generic description as message, and as data the deny body (`error`, `reason`, and for
 * oversight `hold_id`, `approval_reference`) plus `retry_after` (seconds) when the decision has one. The
 * decision's other headers (RateLimit, `AAP-Hold-Id`) are sent too, but no `WWW-Authenticate` challenge (this is
 * not an HTTP refusal); nothing about policy is.
 */
export function writeJsonRpcDeny(res: ServerResponse, decision: Decision, id: string | number | null): void {
  // no challenge on a 200: the `insufficient_scope` of a tool call's missing capability is its JSON-RPC error here
  const { 'retry-after': retryAfter, 'www-authenticate': _challenge, ...headers } = decision.headers;
  const seconds = retryAfter === undefined ? undefined : Number(retryAfter);
  const data = {
    ...decision.body,
    ...(seconds === undefined || !Number.isFinite(seconds) ? {} : { retry_after: seconds }),
  };
  const body = {
    jsonrpc: '2.0',
    id,
    error: { code: MCP_DENIED, message: decision.body?.error_description ?? 'Request refused', data },
  };
  writeDeny(res, { status: 200, headers, body: decision.body }, () => ({ body }));
}

/**
 * A token that grants no tool of this server: HTTP 403 with an RFC 6750 §3.1 `insufficient_scope`
 * challenge (in the token's scheme, with `resource_metadata` per RFC 9728 §5.1), as the MCP authorization
 * spec asks of a valid token without the permissions a request needs: an MCP client may step up.
 */
export function writeInsufficientScope(
  res: ServerResponse,
  decision: Decision,
  scheme: 'Bearer' | 'DPoP',
  resourceMetadata: string | undefined,
): void {
  const params = [
    `error="insufficient_scope"`,
    `error_description="${decision.body?.error_description ?? 'Insufficient scope'}"`,
  ];
  if (resourceMetadata) params.push(`resource_metadata="${resourceMetadata}"`);
  writeDeny(res, {
    ...decision,
    headers: { ...decision.headers, 'www-authenticate': `${scheme} ${params.join(', ')}` },
  });
}
