import { deny, type Deny } from '../base/deny/deny.js';
import type { CheckContext, Step } from '../checks/context.js';
import { decide } from './decide.js';
import type { ReasonCode } from '../base/deny/reasons.js';
import type { GuardRuntime, GuardSettings, GuardSetup } from '../options/resolve.js';
import { AUTHENTICATE, AUTHORIZE, CONSUME_ONLY, stamped } from './pipeline.js';
import type { CompiledRoute } from '../concerns/route/compile-route.js';
import type { Decision } from '../base/types/decision.js';
import type { RequestInfo } from '../base/types/request.js';
import { InfrastructureError } from '../base/util/errors.js';
import { agentsOnly } from '../concerns/route/agents-only.js';

/**
 * One request between its two halves: steps 1–4 ran (`denied` says how they ended); steps 5–8 are still
 * to run, on the same context — the authenticated state carries everything forward, no `Decision` round
 * trip. Opaque to adapters.
 */
export interface Stage {
  readonly ctx: CheckContext;
  /** `performance.now()` when the request reached the guard (the audit's latency). */
  readonly started: number;
  /** The outcome of steps 1–4. */
  readonly denied: Deny | undefined;
}

/** The pipeline in two halves, for `check()` and for adapters whose route is known only later. */
export interface Engine {
  readonly settings: GuardSettings;
  readonly runtime: GuardRuntime;
  /** Steps 1–4: who is calling, with what proof. Synchronous while every check answers synchronously. */
  begin(request: RequestInfo): Stage | Promise<Stage>;
  /**
   * Steps 5–8 for `route` (or, without a route, the stateful step alone: a DPoP proof is still consumed),
   * on the stage's own context, with `extra` request members the route adds (target, params). Emits the
   * request's one audit event.
   */
  finish(stage: Stage, route: CompiledRoute | undefined, extra?: Partial<RequestInfo>): Decision | Promise<Decision>;
  /**
   * Step 8's replay half, ahead of the route: the stage's DPoP proof `jti` is consumed now, for an adapter
   * that cannot tell yet which route will run and must not let anything run on a replayed proof. A later
   * `finish` consumes only its route's windows. Returns the stage, denied when the proof was replayed
   * (or the store failed); a stage without a proof is returned as it is, with no store call.
   */
  consumeProof(stage: Stage): Stage | Promise<Stage>;
  /** A deny only the adapter can see (an undeclared route), decided on the stage's context: one audit event. */
  refuse(stage: Stage, reason: ReasonCode, detail: Readonly<Record<string, unknown>>, route?: CompiledRoute): Decision;
  /** A deny for a request that never reached the pipeline (an exception in an adapter's own path). */
  refuseRequest(request: RequestInfo, reason: ReasonCode, detail: Readonly<Record<string, unknown>>): Decision;
}

/**
 * Build the engine over the guard's settings and runtime: the check pipeline of engine/pipeline.ts, run in order, the
 * first
 * deny winning; a thrown error is an infrastructure fault (503) or a defect (`internal_error`): fail closed.
 */
export function createEngine({ settings, runtime }: GuardSetup): Engine {
  // Every member a check may set is declared here, so that all contexts share one shape (V8 hidden class)
  // from the start. `clientIp` and `targetHost` are left out on purpose: absent means "not resolved yet".
  const context = (request: RequestInfo): CheckContext => ({
    request,
    method: request.method.toUpperCase(),
    route: undefined,
    settings,
    runtime,
    now: runtime.now(),
    headers: {},
    detail: {},
    credentials: undefined,
    cached: undefined,
    tokenHash: undefined,
    claims: undefined,
    signedBy: undefined,
    lineage: undefined,
    introspected: undefined,
    proof: undefined,
    proofConsumed: undefined,
    candidates: undefined,
    delegationDepth: undefined,
    capability: undefined,
    destination: undefined,
    rateLimitScope: undefined,
    limits: undefined,
    anonymous: undefined,
    contentLength: undefined,
    hold: undefined,
    wouldDeny: undefined,
  });
  return {
    settings,
    runtime,
    begin(request) {
      const started = performance.now();
      if (!isRequestInfo(request)) {
        // A caller-built request of the wrong shape is client input too: a 400, never a throw.
        return {
          ctx: context(MALFORMED_REQUEST),
          started,
          denied: deny('request_invalid', { problem: 'malformed RequestInfo' }),
        };
      }
      const ctx = context(request);
      const denied = run(ctx, AUTHENTICATE, 0);
      return denied instanceof Promise
        ? denied.then((outcome) => ({ ctx, started, denied: outcome }))
        : { ctx, started, denied };
    },
    finish({ ctx, started, denied }, route, extra) {
      ctx.route = route;
      // no spread on hot paths: docs/ARCHITECTURE.md "Performance"
      if (extra) ctx.request = Object.assign({}, ctx.request, extra);
      const outcome =
        denied ?? (ctx.anonymous ? anonymousOn(ctx, route) : run(ctx, route ? AUTHORIZE : CONSUME_ONLY, 0));
      return outcome instanceof Promise
        ? outcome.then((settled) => decide(ctx, settled, started))
        : decide(ctx, outcome, started);
    },
    consumeProof(stage) {
      const { ctx, started } = stage;
      if (stage.denied || !ctx.proof || ctx.proofConsumed) return stage;
      // With no route yet, the stateful step has no windows: it consumes the proof alone.
      const after = (denied: Deny | undefined): Stage => {
        if (denied) return { ctx, started, denied };
        ctx.proofConsumed = true;
        return stage;
      };
      const outcome = run(ctx, CONSUME_ONLY, 0);
      return outcome instanceof Promise ? outcome.then(after) : after(outcome);
    },
    refuse({ ctx, started, denied }, reason, detail, route) {
      ctx.route = route;
      return decide(ctx, denied ?? deny(reason, detail), started);
    },
    refuseRequest(request, reason, detail) {
      return decide(
        context(isRequestInfo(request) ? request : MALFORMED_REQUEST),
        deny(reason, detail),
        performance.now(),
      );
    },
  };
}

/**
 * A request without an AAP credential (`authRequired: false`, or an app credential) on a route: passed on,
 * unless the route admits agents only (`agentsOnly`, by default for unsafe methods) — then 401
 * `credentials_missing` with a challenge (RFC 6750 §3.1), as a guard with `authRequired: true` answers it.
 */
function anonymousOn(ctx: CheckContext, route: CompiledRoute | undefined): Deny | undefined {
  if (!route || !agentsOnly(route, ctx.method)) return undefined;
  return deny('credentials_missing', { check: 'agents-only', method: ctx.method, credentials: ctx.detail.credentials });
}

const MALFORMED_REQUEST: RequestInfo = Object.freeze({ method: '', url: '', headers: Object.freeze({}) });

/** The fields every check relies on have the types `RequestInfo` promises. */
function isRequestInfo(request: unknown): request is RequestInfo {
  if (request === null || typeof request !== 'object') return false;
  const { method, url, headers } = request as Record<string, unknown>;
  return typeof method === 'string' && typeof url === 'string' && headers !== null && typeof headers === 'object';
}

/**
 * Run the steps in order from `from`; the first deny wins; a request without AAP credentials
 * (`authRequired: false`) stops here. Synchronous until a check answers with a promise: a cached token
 * with an in-memory store costs no promise at all. Never throws and never rejects.
 */
function run(ctx: CheckContext, steps: readonly Step[], from: number): Deny | undefined | Promise<Deny | undefined> {
  try {
    for (let index = from; index < steps.length; index += 1) {
      const step = steps[index] as Step;
      const outcome = step.run(ctx);
      if (outcome instanceof Promise) {
        return outcome.then(
          (settled) => (settled ? stamped(settled, step) : ctx.anonymous ? undefined : run(ctx, steps, index + 1)),
          fault,
        );
      }
      if (outcome) return stamped(outcome, step);
      if (ctx.anonymous) return undefined;
    }
    return undefined;
  } catch (error) {
    return fault(error);
  }
}

/** A thrown error: an infrastructure fault (503, retry soon) or a defect (`internal_error`). Fail closed. */
function fault(error: unknown): Deny {
  if (error instanceof InfrastructureError)
    return deny(error.reason, { fault: error.message }, { headers: { 'retry-after': '5' } });
  return deny('internal_error', { fault: error instanceof Error ? error.message : String(error) });
}
