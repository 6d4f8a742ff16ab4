import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Guard } from '../create-guard.js';
import type { ReasonCode } from '../deny/reasons.js';
import type { Engine, Stage } from '../engine/engine.js';
import { engineOf } from '../engine/registry.js';
import { andThen, type Awaitable } from '../util/awaitable.js';
import type { CompiledRoute } from '../route.js';
import type { Decision, Principal, RequestInfo } from '../types.js';
import { bodyTapOf, tapBody } from './body.js';
import { enforceLimits, type EnforceLimitsHooks } from './enforce-limits.js';
import { nodeRequestInfo } from './request-info.js';
import { traceCheck } from '../observe/trace-checks.js';
import { HOLD_HEADER } from '../holds/oversight-holds.js';

/** Where one request stands with one guard. */
export type FlowOutcome =
  /** Refused: write (or throw) `decision`. */
  | { readonly kind: 'deny'; readonly decision: Decision }
  /** No AAP credential and `authRequired: false`: go on untouched, without a principal. */
  | { readonly kind: 'pass' }
  /** Steps 1–4 passed; the route will be authorized later (or settled). */
  | { readonly kind: 'authenticated'; readonly principal: Principal }
  /** Allowed. `proceed` is false when a size limit already refused the request (the 413 was written). */
  | { readonly kind: 'allow'; readonly decision: Decision; readonly principal: Principal | undefined; readonly proceed: boolean };

/** What a declared route adds to its request. */
export interface RouteParts {
  /** The URL or host the request acts on, as the declaration chose it (validated by the core). */
  readonly target?: unknown;
  /** The router's parameters; only string values are kept (task-id binding). */
  readonly params?: unknown;
  /** The original request URL when the framework rewrites `req.url` (Koa: `ctx.originalUrl`). */
  readonly url?: string | undefined;
  /**
   * The digest a hold binds instead of the raw body's, for a protocol that frames one call in an envelope
   * a retry changes (an MCP `tools/call`: a new JSON-RPC id) — see `RequestInfo.bodyDigest`.
   */
  readonly bodyDigest?: string | undefined;
  /** A hold id carried inside the message (MCP `_meta`) instead of the `AAP-Hold-Id` header; both, differing, match no hold. */
  readonly holdId?: string | undefined;
  /** The body as the app's parser left it (`req.body`), if one ran: see `RequestInfo.parsedBody`. */
  readonly parsedBody?: unknown;
}

/**
 * The guard's pipeline for Node adapters, in two halves that share one state per request AND per guard:
 * the app-wide middleware runs steps 1–4 (`begin`), the route's declaration runs steps 5–8 on the same
 * context (`finish`) — one pipeline run, at most one store call, one audit event. A declaration of
 * another guard never sees this state: it runs its own whole check, with its own issuer, audience, DPoP
 * mode and revocations. Adapters only translate; every rule is in the core.
 *
 * Call `begin`/`finish` synchronously from the framework's middleware (before any other `await`): their
 * first step watches the request body (size limits, hold binding) as it arrives.
 *
 * @example
 * const flow = nodeFlow(guard);
 * const begun = await flow.begin(req, res);
 * const done = await flow.finish(req, res, compileRoute(route), { target: req.query.url, params: req.params });
 */
export interface NodeFlow {
  readonly guard: Guard;
  readonly engine: Engine;
  /**
   * Steps 1–4 for a request whose route is not known yet; the state is kept for this guard's `finish`.
   * Settles synchronously when nothing needs I/O (a cached token): `await` it, or test for a promise.
   * `parsedBody`: the body as the app's parser left it (`req.body`), if a parser ran before the guard.
   */
  begin(req: IncomingMessage, res: ServerResponse, url?: string, parsedBody?: unknown): Awaitable<FlowOutcome>;
  /**
   * Steps 5–8 for `route` — continuing what `begin` found for THIS guard, or the whole check when it did
   * not run — or, without a route, the stateful step alone (an authenticated request that no declaration
   * authorizes: its DPoP proof is still consumed). Enforces the decision's size limits. Settles
   * synchronously when nothing needs I/O (the memory store): `await` it, or test for a promise.
   */
  finish(req: IncomingMessage, res: ServerResponse, route?: CompiledRoute, parts?: RouteParts, hooks?: EnforceLimitsHooks): Awaitable<FlowOutcome>;
  /** Refuse an authenticated request for a reason only the adapter sees (an undeclared route): one audit event. */
  refuse(req: IncomingMessage, reason: ReasonCode, detail: Readonly<Record<string, unknown>>): Decision;
  /**
   * The route's declaration will `finish` this request; should none run (a middleware answered first),
   * the request is settled when the response ends — its proof recorded, its audit event emitted.
   */
  defer(req: IncomingMessage, res: ServerResponse): void;
  /** An exception in the adapter's own path (a `target` function that threw…): an audited 503 `internal_error`, never a 500. */
  fault(req: IncomingMessage, error: unknown): Decision;
}

interface Pending {
  readonly stage: Stage;
  done: boolean;
}

const FLOWS = new WeakMap<Guard, NodeFlow>();

/**
 * The Node flow of a guard (one per guard, cached).
 *
 * @example
 * const flow = nodeFlow(aap.guard);
 */
export function nodeFlow(guard: Guard): NodeFlow {
  let flow = FLOWS.get(guard);
  if (!flow) FLOWS.set(guard, (flow = createFlow(guard)));
  return flow;
}

function createFlow(guard: Guard): NodeFlow {
  const engine = engineOf(guard);
  // What the tap keeps until the decision: a held action's body, or a form body looked at for a token.
  const keep = Math.max(engine.options.holds.maxBodyBytes, engine.options.token.maxFormBodySize);
  // This guard's state of a request, under a key of its own: another guard in the same app never sees it.
  // A property rather than a WeakMap entry: an ephemeron per request is work for every scavenge.
  const key = Symbol('aap-guard.pending');
  const pending = {
    get: (req: IncomingMessage): Pending | undefined => (req as unknown as Record<symbol, Pending | undefined>)[key],
    set: (req: IncomingMessage, state: Pending): void => {
      (req as unknown as Record<symbol, Pending | undefined>)[key] = state;
    },
  };
  const settle = (req: IncomingMessage, res: ServerResponse, decision: Decision, hooks?: EnforceLimitsHooks): FlowOutcome => {
    bodyTapOf(req)?.release();
    if (!decision.allowed) return { kind: 'deny', decision };
    if (!decision.principal) return { kind: 'pass' };
    return { kind: 'allow', decision, principal: decision.principal, proceed: enforceLimits(engine.options, req, res, decision, hooks) };
  };
  return {
    guard,
    engine,
    // Synchronous until a step needs I/O (a key fetch, a Redis call): a cached Bearer request on the
    // memory store costs no promise and no microtask here.
    begin(req, res, url, parsedBody) {
      const parsed = tapBody(req, keep) && parsedBodyOf(req, parsedBody);
      const extra = url === undefined && parsed === undefined ? undefined : { url, parsedBody: parsed };
      const info = nodeRequestInfo(req, extra);
      const authenticated = (stage: Stage): Awaitable<FlowOutcome> => {
        if (stage.denied || stage.ctx.anonymous) return andThen(traceCheck('authenticate', info, undefined, () => engine.complete(stage, undefined)), (decision) => settle(req, res, decision));
        pending.set(req, { stage, done: false });
        return { kind: 'authenticated', principal: { claims: stage.ctx.claims!, scheme: stage.ctx.credentials?.scheme ?? 'Bearer' } };
      };
      return andThen(engine.begin(info), authenticated);
    },
    finish(req, res, route, parts = {}, hooks) {
      const parsed = tapBody(req, keep) && parsedBodyOf(req, parts.parsedBody);
      const extra = routeExtra(req, parts, parsed);
      const settled = (decision: Decision): FlowOutcome => settle(req, res, decision, hooks);
      const open = pending.get(req);
      if (open && !open.done) {
        open.done = true;
        return andThen(traceCheck('authorize', open.stage.ctx.request, route, () => engine.complete(open.stage, route, extra)), settled);
      }
      if (parts.url !== undefined) Object.assign(extra, { url: parts.url }); // extra is this call's own object
      const info = nodeRequestInfo(req, extra);
      return andThen(traceCheck('authorize', info, route, () => andThen(engine.begin(info), (stage) => engine.complete(stage, route))), settled);
    },
    refuse(req, reason, detail) {
      const open = pending.get(req);
      bodyTapOf(req)?.release();
      if (!open || open.done) throw new TypeError('refuse(): no authenticated request of this guard to refuse');
      open.done = true;
      return engine.refuse(open.stage, reason, detail);
    },
    fault(req, error) {
      bodyTapOf(req)?.release();
      const detail = { fault: error instanceof Error ? error.message : String(error) };
      const open = pending.get(req);
      if (open && !open.done) {
        open.done = true;
        return engine.refuse(open.stage, 'internal_error', detail);
      }
      return engine.refuseRequest(nodeRequestInfo(req), 'internal_error', detail);
    },
    defer(req, res) {
      const open = pending.get(req);
      // Nothing to record and nobody to tell: no listener at all (the common Bearer case without an audit sink).
      if (!open || (!open.stage.ctx.proof && !engine.options.audit)) return;
      res.once('close', () => {
        if (open.done) return;
        open.done = true;
        Promise.resolve(engine.complete(open.stage, undefined)).catch(() => undefined); // records the proof's jti; emits the event
      });
    },
  };
}

/**
 * The app's parsed body as a fact about this request's body — only once the body stream was read (by that
 * parser): a parser that left a default (Express 4 sets `req.body = {}` for a body it does not parse) does
 * not speak for bytes still unread, which the guard reads itself.
 */
function parsedBodyOf(req: IncomingMessage, parsedBody: unknown): unknown {
  return parsedBody !== undefined && req.readableDidRead ? parsedBody : undefined;
}

/** What a route adds to its request: target, string params, and (when given) a parsed body, body digest and hold id. */
function routeExtra(req: IncomingMessage, parts: RouteParts, parsedBody: unknown): Partial<RequestInfo> {
  const extra: Partial<RequestInfo> = { target: parts.target, params: stringParams(parts.params) };
  if (parsedBody !== undefined) Object.assign(extra, { parsedBody });
  if (parts.bodyDigest !== undefined) Object.assign(extra, { bodyDigest: parts.bodyDigest });
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
