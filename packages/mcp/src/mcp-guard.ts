import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Decision, Guard, Principal, ReasonCode } from '@aap-guard/core';
import {
  nodeFlow,
  resourceMetadataUrl,
  serveResourceMetadata,
  writeDeny,
  type Awaitable,
  type FlowOutcome,
  type NodeFlow,
} from '@aap-guard/core/node';
import { readJson } from './read-json.js';
import { answeredOverHttp, writeInsufficientScope, writeJsonRpcDeny } from './respond.js';
import { mcpMessage, toolCallDigest, type ToolCall } from './tool-call.js';
import { compileTools, permittedTools, type CompiledTool, type McpTools } from './tools.js';

/** Options of `mcpGuard()`. */
export interface McpGuardOptions {
  /** Every tool of the server, by name: its AAP action, or a declaration. A call to any other tool is refused. */
  readonly tools: McpTools;
  /** Largest JSON-RPC body read, in bytes (default 1048576); a larger one is refused with 413. */
  readonly maxBodyBytes?: number | undefined;
}

/** What `admit()` decided. When not admitted, the response is already written. */
export type McpAdmission =
  | { readonly admitted: false }
  | {
      readonly admitted: true;
      /** The verified caller; undefined only for a request without AAP credentials under `authRequired: false`. */
      readonly principal: Principal | undefined;
      /** The tools this caller may try: the ones to list in `tools/list`. */
      readonly tools: readonly string[];
      /** The parsed JSON-RPC body, for the transport (`transport.handleRequest(req, res, body)`). */
      readonly body: unknown;
      /** The tool whose call was authorized, when the body is a `tools/call`. */
      readonly tool?: string | undefined;
    };

/** The guard of one MCP endpoint (see `mcpGuard`). */
export interface McpGuard {
  readonly guard: Guard;
  /**
   * Decide one HTTP request to the MCP endpoint (POST, GET or DELETE) — call it first thing, before any
   * `await`. `parsedBody`: the body when a parser already read it (else it is read here, after the token
   * was verified). One decision, one audit event, at most one store call per request.
   */
  admit(req: IncomingMessage, res: ServerResponse, parsedBody?: unknown): Promise<McpAdmission>;
  /** The declared tools a principal may try (its capabilities name their actions). */
  toolsFor(principal: Principal | undefined): readonly string[];
  /**
   * Answer `GET`/`HEAD` of this MCP server's protected resource metadata (RFC 9728), which every 401 and
   * 403 of `admit()` points to and from which an MCP client starts its OAuth flow: at
   * `/.well-known/oauth-protected-resource` and, for a resource with a path (`https://mcp.example.com/mcp`),
   * at `/.well-known/oauth-protected-resource/mcp` (§3.1). Public; the document lists the tools' actions in
   * `aap_actions_supported`. Returns whether it answered; as Connect/Express middleware
   * (`app.use(mcp.serveMetadata)`) it calls `next()` when it did not. Mount it at the app's root, ahead of
   * any authentication.
   *
   * @example
   * app.use(mcp.serveMetadata); // Express
   * // node:http — http.createServer((req, res) => mcp.serveMetadata(req, res) || handle(req, res));
   */
  serveMetadata(req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void): boolean;
}

interface Endpoint {
  readonly guard: Guard;
  readonly flow: NodeFlow;
  readonly tools: ReadonlyMap<string, CompiledTool>;
  readonly toolsFor: (principal: Principal | undefined) => readonly string[];
  readonly maxBodyBytes: number;
}

const NOT_ADMITTED: McpAdmission = Object.freeze({ admitted: false });

/**
 * Protect a Streamable-HTTP MCP endpoint: every tool declares its AAP action, and each HTTP request gets
 * one decision. The token is verified first (a failure is an HTTP 401 with `WWW-Authenticate`, as the MCP
 * authorization spec requires; a token that grants no tool of this server, a 403 `insufficient_scope`). A
 * `tools/call` is then authorized as a request for its tool's action — capability, constraints, rate limits,
 * human oversight — and refused as a JSON-RPC error whose `data.reason` says why. A `tools/call` sent as a
 * notification (no `id`), which must get no JSON-RPC reply, is refused over HTTP (400 `request_invalid`)
 * before authorization: it never creates a hold nor spends a rate limit or an approval. Any other message
 * (`initialize`, `tools/list`, notifications) is authenticated only; list the admitted `tools`.
 *
 * A held call's error carries `data.hold_id`; once a human approved it, the client repeats the same call
 * with `_meta: { "aap/hold_id": id }` (or an `AAP-Hold-Id` header). The hold binds the tool and its
 * arguments (`toolCallDigest`), never the JSON-RPC id, which a retry changes.
 *
 * @example
 * import { mcpGuard } from '@aap-guard/mcp';
 * import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
 * const mcp = mcpGuard(guard, { tools: { search: { action: 'search.web', target: (args) => args.url }, publish:
 * 'cms.publish' } });
 * app.all('/mcp', async (req, res) => {
 *   const admission = await mcp.admit(req, res);
 *   if (!admission.admitted) return; // refused: the response is written
 *   const server = createServer(admission.tools); // an McpServer with these tools only
 *   const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
 *   await server.connect(transport);
 *   await transport.handleRequest(req, res, admission.body);
 * });
 */
export function mcpGuard(guard: Guard, options: McpGuardOptions): McpGuard {
  const maxBodyBytes = options?.maxBodyBytes ?? 1_048_576;
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1)
    throw new TypeError('mcpGuard: options.maxBodyBytes must be a positive integer');
  const tools = compileTools(guard, options?.tools);
  const permitted = permittedTools(tools);
  const toolsFor = (principal: Principal | undefined): readonly string[] =>
    principal ? permitted(principal.claims.capabilities) : [];
  const endpoint: Endpoint = { guard, flow: nodeFlow(guard), tools, toolsFor, maxBodyBytes };
  return Object.freeze({
    guard,
    toolsFor,
    serveMetadata(req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) {
      let served: boolean;
      try {
        served = serveResourceMetadata(guard, req, res);
      } catch (error) {
        if (!next) throw error;
        next(error);
        return false;
      }
      if (!served) next?.();
      return served;
    },
    admit(req: IncomingMessage, res: ServerResponse, parsedBody?: unknown) {
      let begun: Awaitable<FlowOutcome>;
      try {
        // synchronously: it watches the body as it arrives
        begun = endpoint.flow.begin(req, res, undefined, parsedBody);
      } catch (error) {
        begun = Promise.reject(error);
      }
      return admit(endpoint, req, res, begun, parsedBody).catch((error: unknown) => fault(endpoint, req, res, error));
    },
  });
}

async function admit(
  endpoint: Endpoint,
  req: IncomingMessage,
  res: ServerResponse,
  begun: Awaitable<FlowOutcome>,
  parsedBody: unknown,
): Promise<McpAdmission> {
  const outcome = await begun;
  if (outcome.kind === 'deny') return refusedOverHttp(res, outcome.decision);
  // No AAP credential and `authRequired: false`: the app's own authentication decides; the guard reads nothing.
  if (outcome.kind !== 'authenticated') return { admitted: true, principal: undefined, tools: [], body: parsedBody };
  const { flow } = endpoint;
  const body =
    parsedBody !== undefined ? { ok: true as const, value: parsedBody } : await readJson(req, endpoint.maxBodyBytes);
  if (!body.ok) {
    const reason: ReasonCode = body.problem === 'too_large' ? 'request_too_large' : 'request_invalid';
    if (body.problem === 'too_large') res.setHeader('connection', 'close'); // the rest of the body is never read
    return refusedOverHttp(
      res,
      flow.refuse(req, reason, { check: 'mcp.body', problem: body.problem, limit: endpoint.maxBodyBytes }),
    );
  }
  const tools = endpoint.toolsFor(outcome.principal);
  if (tools.length === 0) {
    const decision = flow.refuse(req, 'capability_missing', {
      check: 'mcp.tools',
      problem: 'no capability names the action of any tool of this server',
    });
    writeInsufficientScope(res, decision, outcome.principal.scheme, resourceMetadataUrl(endpoint.guard, req));
    return NOT_ADMITTED;
  }
  const message = mcpMessage(body.value);
  if (message.kind === 'batched-call') {
    return refusedOverHttp(
      res,
      flow.refuse(req, 'request_invalid', { check: 'mcp.batch', problem: 'a tools/call inside a JSON-RPC batch' }),
    );
  }
  if (message.kind === 'unanswerable-call') {
    // No JSON-RPC reply (§4.1), no authorization, no state: MCP's Streamable HTTP transport answers a POST
    // of a notification it does not accept with an HTTP error status (400), here with the guard's deny body.
    const problem =
      message.problem === 'notification'
        ? 'a tools/call sent as a notification (no id)'
        : 'a tools/call whose id is not a string or a number';
    return refusedOverHttp(res, flow.refuse(req, 'request_invalid', { check: 'mcp.call_id', problem }));
  }
  if (message.kind === 'other') return settled(await flow.finish(req, res), res, { tools, body: body.value });
  return authorizeCall(endpoint, req, res, message.call, { tools, body: body.value });
}

/** A `tools/call`: the full pipeline for its tool's action, on the request that `begin` authenticated. */
async function authorizeCall(
  endpoint: Endpoint,
  req: IncomingMessage,
  res: ServerResponse,
  call: ToolCall,
  admitted: { tools: readonly string[]; body: unknown },
): Promise<McpAdmission> {
  const tool = call.name === undefined ? undefined : endpoint.tools.get(call.name);
  if (!tool) {
    writeJsonRpcDeny(
      res,
      endpoint.flow.refuse(req, 'route_undeclared', { check: 'mcp.undeclared_tool', tool: call.name }),
      call.id,
    );
    return NOT_ADMITTED;
  }
  let digest: string;
  try {
    digest = toolCallDigest(tool.name, call.arguments);
  } catch {
    return refusedOverHttp(
      res,
      endpoint.flow.refuse(req, 'request_invalid', { check: 'mcp.arguments', problem: 'arguments nested too deeply' }),
    );
  }
  const args =
    call.arguments !== null && typeof call.arguments === 'object' && !Array.isArray(call.arguments)
      ? (call.arguments as Record<string, unknown>)
      : {};
  // The approver of a hold sees the tool and its arguments (redacted and bounded by the core), not `POST /mcp`.
  const operation = { kind: 'mcp.tools/call', name: tool.name, arguments: call.arguments };
  const parts = { target: tool.target?.(args), params: args, bodyDigest: digest, holdId: call.holdId, operation };
  const done = await endpoint.flow.finish(req, res, tool.route, parts);
  if (done.kind === 'deny' && !answeredOverHttp(done.decision)) {
    writeJsonRpcDeny(res, done.decision, call.id);
    return NOT_ADMITTED;
  }
  return settled(done, res, { ...admitted, tool: tool.name });
}

/**
 * The outcome of `finish`: a deny written over HTTP, or the admission with the decision's headers (RateLimit,
 * DPoP-Nonce) set.
 */
function settled(
  done: FlowOutcome,
  res: ServerResponse,
  admitted: { tools: readonly string[]; body: unknown; tool?: string },
): McpAdmission {
  if (done.kind === 'deny') return refusedOverHttp(res, done.decision);
  if (done.kind !== 'allow') return { admitted: true, principal: undefined, ...admitted };
  for (const [name, value] of Object.entries(done.decision.headers)) res.setHeader(name, value);
  if (!done.proceed) return NOT_ADMITTED; // a size limit refused it as the body arrived; the 413 is written
  return { admitted: true, principal: done.principal, ...admitted };
}

function refusedOverHttp(res: ServerResponse, decision: Decision): McpAdmission {
  writeDeny(res, decision);
  return NOT_ADMITTED;
}

/** An exception on the guard's own path (a tool's `target` that threw…): an audited 503, never a 500. */
function fault(endpoint: Endpoint, req: IncomingMessage, res: ServerResponse, error: unknown): McpAdmission {
  try {
    writeDeny(res, endpoint.flow.fault(req, error));
  } catch {
    res.destroy();
  }
  return NOT_ADMITTED;
}
