import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Guard } from '../../guard/create-guard.js';
import type { ReasonCode } from '../../base/deny/reasons.js';
import type { Engine, Stage } from '../../engine/engine.js';
import { engineOf } from '../../engine/registry.js';
import { andThen, type Awaitable } from '../../base/util/awaitable.js';
import type { CompiledRoute } from '../../concerns/route/compile-route.js';
import type { Decision, Principal } from '../../base/types/decision.js';
import type { RequestInfo, RequestOperation } from '../../base/types/request.js';
import { bodyTapOf, tapBody } from './body.js';
import { enforceLimits, type EnforceLimitsHooks } from './enforce-limits.js';
import { nodeRequestInfo } from './request-info.js';
import { traceCheck } from '../../base/observe/trace-checks.js';
import { routeExtra } from './route-extra.js';
import { sameCheck } from './same-check.js';
import { agentsOnly } from '../../concerns/route/agents-only.js';
import { flowMarks, type FlowState } from './flow-state.js';

/** Where one request stands with one guard. */
export type FlowOutcome =
  /** Refused: write (or throw) `decision`. */
  | { readonly kind: 'deny'; readonly decision: Decision }
  /** No AAP credential and `authRequired: false`: go on untouched, without a principal. */
  | { readonly kind: 'pass' }
  /**
   * Steps 1–4 passed; the route will be authorized later (or settled). `headers`: what the response carries
   * whatever follows (a fresh DPoP-Nonce), when no decision of this guard will set them (`unresolved`).
   */
  | {
      readonly kind: 'authenticated';
      readonly principal: Principal;
      readonly headers?: Readonly<Record<string, string>> | undefined;
    }
  /** Allowed. `proceed` is false when a size limit already refused the request (the 413 was written). */
  | {
      readonly kind: 'allow';
      readonly decision: Decision;
      readonly principal: Principal | undefined;
      readonly proceed: boolean;
    };

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
  /**
   * A hold id carried inside the message (MCP `_meta`) instead of the `AAP-Hold-Id` header; both, differing, match no
   * hold.
   */
  readonly holdId?: string | undefined;
  /** The body as the app's parser left it (`req.body`), if one ran: see `RequestInfo.parsedBody`. */
  readonly parsedBody?: unknown;
  /**
   * What the request does in its protocol's terms, for the approver of a hold (an MCP `tools/call`: its
   * tool and arguments) — see `RequestInfo.operation`. Never bound; redacted and bounded by the core.
   */
  readonly operation?: RequestOperation | undefined;
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
   * Where the request stands with THIS guard — its own state, the only proof that this guard checked the
   * request. A principal on the request (`req.aap`, `ctx.state.aap`) may come from another guard: never use
   * it to decide that this guard authenticated, skipped or resolved a request.
   */
  state(req: IncomingMessage): FlowState;
  /** The decision this guard refused the request with, if it did (state `refused`). */
  refusal(req: IncomingMessage): Decision | undefined;
  /**
   * Whether the adapter's `skip` leaves the request to the app, decided ONCE per request and guard:
   * `ask(on)` runs the first time (`on`: the framework's request or context; `ask`: one function made at
   * startup, not a closure per request); every later middleware of this guard — a declaration below a
   * router — gets the same answer.
   */
  skipped<T>(req: IncomingMessage, ask: (on: T) => boolean, on: T): boolean;
  /**
   * Watch the request's body from now on (size limits, the hold's body binding, a form body's token), as
   * `begin` and `finish` do first — for a framework whose own body parser runs before the guard's step
   * (NestJS guards): call it synchronously where the request arrives, ahead of any parser. Idempotent.
   */
  watchBody(req: IncomingMessage): void;
  /**
   * Steps 1–4 for a request whose route is not known yet; the state is kept for this guard's `finish`.
   * A request this guard refused already is refused again, with the same decision; one it passed on without
   * a principal (no AAP credential, `authRequired: false`) is passed on again, unchecked and unaudited.
   * Settles synchronously when nothing needs I/O (a cached token): `await` it, or test for a promise.
   * `parsedBody`: the body as the app's parser left it (`req.body`), if a parser ran before the guard.
   * `declared`: the adapter resolved the request to a declaration of this guard — a request without an AAP
   * credential is then passed on (`pass`) but settled by that declaration, whose route may refuse it
   * (agents only): one audit event, the route's; should no declaration run, the response's end settles it.
   */
  begin(
    req: IncomingMessage,
    res: ServerResponse,
    url?: string,
    parsedBody?: unknown,
    declared?: boolean,
  ): Awaitable<FlowOutcome>;
  /**
   * For an authenticated (`begin`) request whose route the adapter cannot resolve to a declaration of this
   * guard — a router behind a mount wrapper it cannot see into, a route that looks undeclared (a declaration
   * wrapped in another function is invisible), or no route at all: its DPoP proof is consumed now — nothing
   * runs on a replayed proof — and its stage stays open for a declaration of this guard that may still run
   * (one pipeline run, one audit event, the body still watched); the response's end settles it if none runs.
   * Never settle such a request with a route-less `finish`: a declaration running after it would check it
   * again, whole — its proof replayed, its body's bytes let go. State `unresolved`: where undeclared routes
   * are refused, the adapter must refuse a route that no declaration of this guard covers when it sees one
   * about to run. The outcome's `headers` are for the response (a fresh DPoP-Nonce).
   */
  unresolved(req: IncomingMessage, res: ServerResponse): Awaitable<FlowOutcome>;
  /**
   * Steps 5–8 for `route` — continuing what `begin` found for THIS guard, or the whole check when it did
   * not run — or, without a route, the stateful step alone (an authenticated request that no declaration
   * authorizes: its DPoP proof is still consumed; only where nothing can declare the route later — else
   * `unresolved`). A request this guard passed on without a principal gets step 1 again with what the route
   * adds (its parsed body), and is audited again only if that refuses it. Enforces the decision's size
   * limits. A request this guard refused already is refused again, with the same decision (no second check,
   * no second audit event). Settles synchronously when nothing needs I/O (the memory store): `await` it, or
   * test for a promise.
   */
  finish(
    req: IncomingMessage,
    res: ServerResponse,
    route?: CompiledRoute,
    parts?: RouteParts,
    hooks?: EnforceLimitsHooks,
  ): Awaitable<FlowOutcome>;
  /** Refuse an authenticated request for a reason only the adapter sees (an undeclared route): one audit event. */
  refuse(req: IncomingMessage, reason: ReasonCode, detail: Readonly<Record<string, unknown>>): Decision;
  /**
   * The route's declaration will `finish` this request; should none run (a middleware answered first),
   * the request is settled when the response ends — its proof recorded, its audit event emitted.
   */
  defer(req: IncomingMessage, res: ServerResponse): void;
  /**
   * An exception in the adapter's own path (a `target` function that threw…): an audited 503 `internal_error`, never a
   * 500.
   */
  fault(req: IncomingMessage, error: unknown): Decision;
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

const PASS: FlowOutcome = Object.freeze({ kind: 'pass' });
/** What a route's whole check does with its decision. */
type Whole = (decision: Decision) => FlowOutcome;

function createFlow(guard: Guard): NodeFlow {
  const engine = engineOf(guard);
  // What the tap keeps until the decision: a held action's body, or a form body looked at for a token.
  const keep = Math.max(engine.settings.holds.maxBodyBytes, engine.settings.token.maxFormBodySize);
  // This guard's state of a request, under a key of its own: another guard in the same app never sees it.
  const marks = flowMarks();
  const settle = (
    req: IncomingMessage,
    res: ServerResponse,
    decision: Decision,
    hooks?: EnforceLimitsHooks,
  ): FlowOutcome => {
    bodyTapOf(req)?.release();
    if (!decision.allowed) {
      marks.refuse(req, decision); // refused once, refused by every later step of this guard
      return { kind: 'deny', decision };
    }
    if (!decision.principal) {
      marks.pass(req); // no AAP credential: passed, and audited, once for this guard
      return PASS;
    }
    return {
      kind: 'allow',
      decision,
      principal: decision.principal,
      proceed: enforceLimits(engine.runtime, req, res, decision, hooks),
    };
  };
  /** A request this guard refused (the same decision again) or passed on already (on again). */
  const decided = (req: IncomingMessage): FlowOutcome | undefined => {
    const decision = marks.get(req)?.refused;
    if (decision) return { kind: 'deny', decision };
    return marks.passed(req) ? PASS : undefined;
  };
  /**
   * A request this guard passed on without a principal, at a declaration: step 1 again, with what the route
   * adds (a body a parser between the two left may hold a form-body `access_token`), and nothing more while
   * it stays anonymous — no second pipeline run, no second audit event. Should it now be refused (or
   * present a credential), the route's whole check decides.
   */
  const passedAgain = (info: RequestInfo, route: CompiledRoute | undefined, whole: Whole): Awaitable<FlowOutcome> =>
    andThen(engine.begin(info), (stage): Awaitable<FlowOutcome> => {
      // Still anonymous, on a route that passes such requests to the app: nothing more to check.
      if (!stage.denied && stage.ctx.anonymous && !(route && agentsOnly(route, stage.ctx.method))) return PASS;
      return andThen(
        traceCheck('authorize', info, route, () => engine.finish(stage, route)),
        whole,
      );
    });
  const deferred = (req: IncomingMessage, res: ServerResponse): void => {
    const open = marks.get(req);
    const stage = open?.stage;
    // Nothing to record and nobody to tell: no listener at all (the common Bearer case without an audit sink).
    if (!open || !stage || open.done || (!stage.ctx.proof && !engine.runtime.audit)) return;
    res.once('close', () => {
      if (open.done) return;
      open.done = true;
      // Records the proof's jti; emits the event.
      Promise.resolve(engine.finish(stage, undefined)).catch(() => undefined);
    });
  };
  return {
    guard,
    engine,
    state: (req) => marks.state(req),
    refusal: (req) => marks.get(req)?.refused,
    skipped: (req, ask, on) => marks.skipped(req, ask, on),
    watchBody: (req) => void tapBody(req, keep),
    // Synchronous until a step needs I/O (a key fetch, a Redis call): a cached Bearer request on the
    // memory store costs no promise and no microtask here.
    begin(req, res, url, parsedBody, declared) {
      const parsed = tapBody(req, keep) && parsedBodyOf(req, parsedBody);
      const again = decided(req);
      if (again) return again;
      const extra = url === undefined && parsed === undefined ? undefined : { url, parsedBody: parsed };
      const info = nodeRequestInfo(req, extra);
      const authenticated = (stage: Stage): Awaitable<FlowOutcome> => {
        if (declared && !stage.denied && stage.ctx.anonymous) {
          // No AAP credential, on a route a declaration of this guard will check: that declaration decides
          // and audits it, once (its route may admit agents only); the response's end, if none runs.
          marks.open(req, stage);
          deferred(req, res);
          return PASS;
        }
        if (stage.denied || stage.ctx.anonymous)
          return andThen(
            traceCheck('authenticate', info, undefined, () => engine.finish(stage, undefined)),
            (decision) => settle(req, res, decision),
          );
        marks.open(req, stage);
        return { kind: 'authenticated', principal: principalOf(stage) };
      };
      return andThen(engine.begin(info), authenticated);
    },
    unresolved(req, res) {
      const open = marks.get(req);
      if (!open?.stage || open.done) throw new TypeError('unresolved(): no authenticated request of this guard');
      const stage = open.stage;
      return andThen(engine.consumeProof(stage), (consumed): Awaitable<FlowOutcome> => {
        if (consumed.denied) {
          open.done = true;
          const finish = () => engine.finish(consumed, undefined);
          const replayed = traceCheck('authenticate', stage.ctx.request, undefined, finish);
          return andThen(replayed, (decision) => settle(req, res, decision));
        }
        open.unresolved = true;
        deferred(req, res);
        return { kind: 'authenticated', principal: principalOf(stage), headers: stage.ctx.headers };
      });
    },
    finish(req, res, route, parts = {}, hooks) {
      const parsed = tapBody(req, keep) && parsedBodyOf(req, parts.parsedBody);
      const open = marks.get(req);
      if (open?.refused) return { kind: 'deny', decision: open.refused }; // refused already: the same decision
      const extra = routeExtra(req, parts, parsed);
      const allowed = open?.allowed;
      // Allowed already by this guard (a router-wide declaration, the same guard registered twice): the same
      // check again is the same decision — no second pipeline run, no second audit event, the proof not seen twice.
      if (allowed && sameCheck(open.allowedRoute, open.allowedExtra, route, extra)) {
        return { kind: 'allow', decision: allowed, principal: allowed.principal, proceed: true };
      }
      const settled = (decision: Decision): FlowOutcome => {
        if (decision.allowed && decision.principal) marks.allow(req, decision, route, extra);
        return settle(req, res, decision, hooks);
      };
      // An anonymous stage `begin` left for this declaration falls through to the whole check below: step 1
      // again with what the route adds (a body a parser between the two left may hold a form-body token).
      if (open?.stage && !open.done) {
        open.done = true;
        const stage = open.stage;
        if (!stage.ctx.anonymous) {
          const decided = traceCheck('authorize', stage.ctx.request, route, () => engine.finish(stage, route, extra));
          return andThen(decided, settled);
        }
      }
      const info = nodeRequestInfo(req, parts.url === undefined ? extra : Object.assign({}, extra, { url: parts.url }));
      if (marks.passed(req)) return passedAgain(info, route, settled);
      // Another check of a request this guard allowed (another action): authorized too — never looser — on
      // the DPoP proof this guard consumed for this very request already.
      const consumed = allowed !== undefined;
      const check = () =>
        andThen(engine.begin(info), (stage) => {
          if (consumed) stage.ctx.proofConsumed = true;
          return engine.finish(stage, route);
        });
      return andThen(traceCheck('authorize', info, route, check), settled);
    },
    refuse(req, reason, detail) {
      const open = marks.get(req);
      bodyTapOf(req)?.release();
      if (!open?.stage || open.done) throw new TypeError('refuse(): no authenticated request of this guard to refuse');
      open.done = true;
      const decision = engine.refuse(open.stage, reason, detail);
      marks.refuse(req, decision);
      return decision;
    },
    fault(req, error) {
      bodyTapOf(req)?.release();
      const detail = { fault: error instanceof Error ? error.message : String(error) };
      const open = marks.get(req);
      let decision: Decision;
      if (open?.stage && !open.done) {
        open.done = true;
        decision = engine.refuse(open.stage, 'internal_error', detail);
      } else decision = engine.refuseRequest(nodeRequestInfo(req), 'internal_error', detail);
      marks.refuse(req, decision);
      return decision;
    },
    defer: deferred,
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

/** The principal steps 1–4 found. */
function principalOf(stage: Stage): Principal {
  return { claims: stage.ctx.claims!, scheme: stage.ctx.credentials?.scheme ?? 'Bearer' };
}
