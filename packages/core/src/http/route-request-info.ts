import type { IncomingMessage } from 'node:http';
import { BODY_DIGEST } from '../holds/body-digest.js';
import type { RequestInfo } from '../types.js';
import { nodeRequestInfo } from './request-info.js';

/** What a declared route adds to a request. */
export interface RouteRequestParts {
  /** The URL or host the request acts on, as the route's declaration chose it (a string, checked by the adapter). */
  readonly target?: string | undefined;
  /** The router's parameters (`req.params`, `ctx.params`); only string values are kept, for task-id binding. */
  readonly params?: unknown;
}

/**
 * The `RequestInfo` of a request on a declared route: `base` (by default `nodeRequestInfo(req)`; an
 * adapter passes the one its global middleware authenticated) plus the route's target and string
 * parameters, and the body digest a body parser mounted before the route left under `BODY_DIGEST`
 * (binds an oversight hold to the body).
 *
 * @example
 * const info = routeRequestInfo(req, { target: 'https://en.wikipedia.org/', params: req.params }, authenticatedInfo);
 * const decision = await guard.authorize(info, route, authenticated);
 */
export function routeRequestInfo(req: IncomingMessage, { target, params }: RouteRequestParts, base: RequestInfo = nodeRequestInfo(req)): RequestInfo {
  return { ...base, target, params: stringParams(params), bodyDigest: bodyDigestOf(req) };
}

/** String-valued parameters only (Express 5 wildcards are arrays: not usable for task binding). */
function stringParams(params: unknown): Record<string, string> | undefined {
  if (!params || typeof params !== 'object') return undefined;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) if (typeof value === 'string') out[name] = value;
  return out;
}

function bodyDigestOf(req: IncomingMessage): string | undefined {
  const digest = (req as IncomingMessage & { [BODY_DIGEST]?: unknown })[BODY_DIGEST];
  return typeof digest === 'string' ? digest : undefined;
}
