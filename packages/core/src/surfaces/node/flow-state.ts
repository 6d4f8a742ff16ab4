import type { IncomingMessage } from 'node:http';
import type { Stage } from '../../engine/engine.js';
import type { Decision } from '../../base/types/decision.js';
import type { RequestInfo } from '../../base/types/request.js';
import type { CompiledRoute } from '../../concerns/route/compile-route.js';

/**
 * Where one request stands with ONE guard, from that guard's own state — never from a principal
 * (`req.aap`, `ctx.state.aap`) or a mark another guard, or the app, can set:
 * - `new`: this guard has not begun it (its `skip` may have been asked, and said no);
 * - `skipped`: the adapter's `skip` left it to the app;
 * - `open`: authenticated (steps 1–4); a declaration of this guard authorizes it, or the response's end settles it;
 * - `unresolved`: open, and the adapter cannot tell which route will run: its DPoP proof was consumed ahead
 *   of the route, and a route no declaration of this guard covers must be refused;
 * - `settled`: allowed (steps 5–8 ran, or an undeclared route in `allow` mode was authenticated only);
 * - `passed`: no AAP credential, `authRequired: false`: passed on without a principal, and audited once;
 * - `refused`: refused; every later step of this guard refuses it again, with the same decision.
 */
export type FlowState = 'new' | 'skipped' | 'open' | 'unresolved' | 'settled' | 'passed' | 'refused';

/** One guard's mark on one request. All marks share one shape (one V8 hidden class). */
export interface Pending {
  /** Steps 1–4 as they ended; undefined for a mark that never began (skipped, refused before, settled whole). */
  readonly stage: Stage | undefined;
  /** Steps 5–8 ran, or the request was refused: a later `finish` does not continue this stage. */
  done: boolean;
  /** The route is not known yet; the proof was consumed ahead of it. */
  unresolved: boolean;
  /** The decision this guard refused the request with. */
  refused: Decision | undefined;
  /** The decision this guard allowed the request with (a principal's), for a later declaration of the same check. */
  allowed: Decision | undefined;
  /** What `allowed` authorized: the route, and what the declaration added to the request (target, params). */
  allowedRoute: CompiledRoute | undefined;
  allowedExtra: Partial<RequestInfo> | undefined;
}

const mark = (refused?: Decision): Pending => ({
  stage: undefined,
  done: true,
  unresolved: false,
  refused,
  allowed: undefined,
  allowedRoute: undefined,
  allowedExtra: undefined,
});
/** `skip` said yes. */
const SKIPPED: Pending = Object.freeze(mark());
/** `skip` was asked and said no; nothing else yet. */
const ASKED: Pending = Object.freeze(mark());
/** Passed on without a principal (no AAP credential, `authRequired: false`); its decision is audited already. */
const PASSED: Pending = Object.freeze(mark());

/** The per-request state of one guard, under a key of its own. */
export interface FlowMarks {
  get(req: IncomingMessage): Pending | undefined;
  /** The stage `begin` left, to be continued. */
  open(req: IncomingMessage, stage: Stage): Pending;
  state(req: IncomingMessage): FlowState;
  /** Record a refusal: from now on this guard gives the request this decision. */
  refuse(req: IncomingMessage, decision: Decision): void;
  /**
   * Record an allow with a principal — of the stage `begin` left, or of a whole check — and what it
   * authorized, so that a later declaration of the same check repeats it instead of checking again.
   */
  allow(
    req: IncomingMessage,
    decision: Decision,
    route: CompiledRoute | undefined,
    extra: Partial<RequestInfo> | undefined,
  ): void;
  /** Record a pass (no AAP credential), unless the request already has a state of this guard. */
  pass(req: IncomingMessage): void;
  /** Whether this guard passed the request on without a principal (state `passed`). */
  passed(req: IncomingMessage): boolean;
  /** Whether `skip` leaves the request to the app: `ask(on)` runs once per request, later calls repeat its answer. */
  skipped<T>(req: IncomingMessage, ask: (on: T) => boolean, on: T): boolean;
}

/**
 * The marks of one guard: a fresh symbol, so another guard in the same app never sees them. A property
 * rather than a WeakMap entry: an ephemeron per request is work for every scavenge.
 */
export function flowMarks(): FlowMarks {
  const key = Symbol('aap-guard.pending');
  type Marked = Record<symbol, Pending | undefined>;
  const get = (req: IncomingMessage): Pending | undefined => (req as unknown as Marked)[key];
  const set = (req: IncomingMessage, value: Pending): void => {
    (req as unknown as Marked)[key] = value;
  };
  return {
    get,
    open(req, stage) {
      const pending: Pending = {
        stage,
        done: false,
        unresolved: false,
        refused: undefined,
        allowed: undefined,
        allowedRoute: undefined,
        allowedExtra: undefined,
      };
      set(req, pending);
      return pending;
    },
    state(req) {
      const pending = get(req);
      if (pending === undefined || pending === ASKED) return 'new';
      if (pending === SKIPPED) return 'skipped';
      if (pending === PASSED) return 'passed';
      if (pending.refused) return 'refused';
      if (pending.done) return 'settled';
      return pending.unresolved ? 'unresolved' : 'open';
    },
    refuse(req, decision) {
      const pending = get(req);
      if (pending === undefined || Object.isFrozen(pending)) return set(req, mark(decision));
      pending.done = true;
      pending.refused = decision;
    },
    allow(req, decision, route, extra) {
      let pending = get(req);
      if (pending === undefined || Object.isFrozen(pending)) set(req, (pending = mark()));
      pending.done = true;
      pending.allowed = decision;
      pending.allowedRoute = route;
      pending.allowedExtra = extra;
    },
    pass(req) {
      const pending = get(req);
      if (pending === undefined || pending === ASKED) set(req, PASSED);
    },
    passed: (req) => get(req) === PASSED,
    skipped(req, ask, on) {
      const pending = get(req);
      if (pending !== undefined) return pending === SKIPPED; // decided already: by `skip`, or by beginning
      const skip = ask(on) === true;
      set(req, skip ? SKIPPED : ASKED);
      return skip;
    },
  };
}
