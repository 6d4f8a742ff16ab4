import { bodyDigest } from '@aap-guard/core';
import { canonicalJson } from './canonical-json.js';

/**
 * The `_meta` member of a `tools/call` that carries the id of an approved hold on its retry (MCP `_meta`
 * keys take a prefix ending in `/`).
 *
 * @example
 * await client.callTool({ name: 'publish', arguments: { id: 'd-1' }, _meta: { [HOLD_META]: holdId } });
 */
export const HOLD_META = 'aap/hold_id';

/** One `tools/call` request, as the guard authorizes it. */
export interface ToolCall {
  /** The JSON-RPC id (a deny answers it). */
  readonly id: string | number;
  /** `params.name`, when a string. */
  readonly name: string | undefined;
  /** `params.arguments` (an object for any well-formed call). */
  readonly arguments: unknown;
  /** `params._meta["aap/hold_id"]`, when a string. */
  readonly holdId: string | undefined;
}

/**
 * What a JSON-RPC body asks of the guard: one tool call, nothing per tool, a batch that holds a call, or a
 * call that cannot be answered (no `id`: a notification; or an id MCP does not allow).
 */
export type McpMessageKind =
  | { readonly kind: 'call'; readonly call: ToolCall }
  | { readonly kind: 'other' }
  | { readonly kind: 'batched-call' }
  | { readonly kind: 'unanswerable-call'; readonly problem: 'notification' | 'id' };

/**
 * Classify a parsed JSON-RPC body. A batch (an array, which MCP 2025-06-18 removed but older revisions
 * allow) that contains a `tools/call` is `batched-call`: each call needs its own decision, one request
 * gets one — so it is refused, never authorized by its first member. A `tools/call` without an `id`
 * member is a notification (JSON-RPC 2.0 §4.1: the server MUST NOT reply to it), and one whose `id` is
 * not a string or a number is not an MCP request (MCP "Requests": an id is a string or an integer, never
 * null): both are `unanswerable-call` — refused, never authorized, so that no answerless call creates a
 * hold or spends a rate limit or an approval.
 *
 * @example
 * mcpMessage({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'search', arguments: { q: 'x' } } })
 * // { kind: 'call', call: { id: 7, name: 'search', arguments: { q: 'x' }, holdId: undefined } }
 */
export function mcpMessage(body: unknown): McpMessageKind {
  if (Array.isArray(body)) return body.some(isToolCall) ? { kind: 'batched-call' } : { kind: 'other' };
  if (!isToolCall(body)) return { kind: 'other' };
  if (!Object.hasOwn(body as object, 'id')) return { kind: 'unanswerable-call', problem: 'notification' };
  const { id, params } = body as { id?: unknown; params?: unknown };
  const answerable = typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
  if (!answerable) return { kind: 'unanswerable-call', problem: 'id' };
  const p = (params !== null && typeof params === 'object' ? params : {}) as Record<string, unknown>;
  const meta = (p._meta !== null && typeof p._meta === 'object' ? p._meta : {}) as Record<string, unknown>;
  const holdId = meta[HOLD_META];
  return {
    kind: 'call',
    call: {
      id,
      name: typeof p.name === 'string' ? p.name : undefined,
      arguments: p.arguments ?? {},
      holdId: typeof holdId === 'string' ? holdId : undefined,
    },
  };
}

/**
 * The digest a hold on a tool call binds: base64url SHA-256 of the canonical JSON of
 * `{ name, arguments }` — the call itself, not its envelope. The JSON-RPC id (new on every retry), `_meta`
 * and the encoding (member order, whitespace) are left out, so the approved retry of the same call matches
 * and a call with other arguments does not. Throws `RangeError` for arguments nested past 256 levels.
 *
 * @example
 * toolCallDigest('publish', { id: 'd-1' }) === toolCallDigest('publish', JSON.parse('{ "id" : "d-1" }')) // true
 */
export function toolCallDigest(name: string, args: unknown): string {
  return bodyDigest(canonicalJson({ name, arguments: args }));
}

function isToolCall(message: unknown): boolean {
  return message !== null && typeof message === 'object' && (message as { method?: unknown }).method === 'tools/call';
}
