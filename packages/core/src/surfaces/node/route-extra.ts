import type { IncomingMessage } from 'node:http';
import { HOLD_HEADER } from '../../concerns/holds/hold-id.js';
import type { RequestInfo, RequestOperation } from '../../base/types/request.js';

/** The parts of a route's `RouteParts` that go into its request. */
export interface RouteExtraParts {
  readonly target?: unknown;
  readonly params?: unknown;
  readonly bodyDigest?: string | undefined;
  readonly holdId?: string | undefined;
  readonly operation?: RequestOperation | undefined;
}

/**
 * What a route adds to its request: target, string params, and (when given) the app's parsed body, a body
 * digest, a hold id and the operation.
 */
export function routeExtra(req: IncomingMessage, parts: RouteExtraParts, parsedBody?: unknown): Partial<RequestInfo> {
  const extra: Partial<RequestInfo> = { target: parts.target, params: stringParams(parts.params) };
  if (parsedBody !== undefined) Object.assign(extra, { parsedBody });
  if (parts.bodyDigest !== undefined) Object.assign(extra, { bodyDigest: parts.bodyDigest });
  if (parts.operation !== undefined) Object.assign(extra, { operation: parts.operation });
  if (parts.holdId === undefined) return extra;
  const headers = req.headersDistinct ?? req.headers;
  const sent = headers[HOLD_HEADER];
  const given = sent === undefined ? [] : typeof sent === 'string' ? [sent] : sent;
  // The same id twice is one id; two different ones are a repeated header to the oversight step: hold_mismatch.
  const ids = given.length === 1 && given[0]?.trim() === parts.holdId ? given : [...given, parts.holdId];
  return Object.assign(extra, { headers: { ...headers, [HOLD_HEADER]: ids.length === 1 ? ids[0] : ids } });
}

/** String-valued parameters only (Express 5 wildcards are arrays: not usable for task binding). */
function stringParams(params: unknown): Record<string, string> | undefined {
  if (!params || typeof params !== 'object') return undefined;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) if (typeof value === 'string') out[name] = value;
  return out;
}
