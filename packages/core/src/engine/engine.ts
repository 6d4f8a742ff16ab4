import { deny, type Check, type CheckContext, type Deny } from '../checks/context.js';
import { decide } from '../deny/decision.js';
import type { ReasonCode } from '../deny/reasons.js';
import type { ResolvedOptions } from '../options/resolve.js';
import { AUTHENTICATE, AUTHORIZE, CONSUME_ONLY } from '../pipeline.js';
import type { CompiledRoute } from '../route.js';
import type { Decision, RequestInfo } from '../types.js';
import { InfrastructureError } from '../util/errors.js';

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
  readonly options: ResolvedOptions;
  /** Steps 1–4: who is calling, with what proof. */
  begin(request: RequestInfo): Promise<Stage>;
  /**
   * Steps 5–8 for `route` (or, without a route, the stateful step alone: a DPoP proof is still consumed),
   * on the stage's own context, with `extra` request members the route adds (target, params). Emits the
   * request's one audit event.
   */
  complete(stage: Stage, route: CompiledRoute | undefined, extra?: Partial<RequestInfo>): Promise<Decision>;
  /** A deny only the adapter can see (an undeclared route), decided on the stage's context: one audit event. */
  refuse(stage: Stage, reason: ReasonCode, detail: Readonly<Record<string, unknown>>, route?: CompiledRoute): Decision;
  /** A deny for a request that never reached the pipeline (an exception in an adapter's own path). */
  refuseRequest(request: RequestInfo, reason: ReasonCode, detail: Readonly<Record<string, unknown>>): Decision;
}

/**
 * Build the engine over resolved options: the check pipeline of pipeline.ts, run in order, the first
 * deny winning; a thrown error is an infrastructure fault (503) or a defect (`internal_error`): fail closed.
 *
 * @example
 * const engine = createEngine(resolveOptions(options));
 * const decision = await engine.complete(await engine.begin(info), compileRoute({ action: 'search.web' }));
 */
export function createEngine(options: ResolvedOptions): Engine {
  const context = (request: RequestInfo): CheckContext => ({
    request,
    method: request.method.toUpperCase(),
    route: undefined,
    options,
    now: options.now(),
    headers: {},
    detail: {},
  });
  return {
    options,
    async begin(request) {
      const started = performance.now();
      if (!isRequestInfo(request)) {
        // A caller-built request of the wrong shape is client input too: a 400, never a throw.
        return { ctx: context(MALFORMED_REQUEST), started, denied: deny('request_invalid', { problem: 'malformed RequestInfo' }) };
      }
      const ctx = context(request);
      return { ctx, started, denied: await run(ctx, AUTHENTICATE) };
    },
    async complete({ ctx, started, denied }, route, extra) {
      ctx.route = route;
      if (extra) ctx.request = { ...ctx.request, ...extra };
      const outcome = denied ?? (ctx.anonymous ? undefined : await run(ctx, route ? AUTHORIZE : CONSUME_ONLY));
      return decide(ctx, outcome, started);
    },
    refuse({ ctx, started, denied }, reason, detail, route) {
      ctx.route = route;
      return decide(ctx, denied ?? deny(reason, detail), started);
    },
    refuseRequest(request, reason, detail) {
      return decide(context(isRequestInfo(request) ? request : MALFORMED_REQUEST), deny(reason, detail), performance.now());
    },
  };
}

const MALFORMED_REQUEST: RequestInfo = Object.freeze({ method: '', url: '', headers: Object.freeze({}) });

/** The fields every check relies on have the types `RequestInfo` promises. */
function isRequestInfo(request: unknown): request is RequestInfo {
  if (request === null || typeof request !== 'object') return false;
  const { method, url, headers } = request as Record<string, unknown>;
  return typeof method === 'string' && typeof url === 'string' && headers !== null && typeof headers === 'object';
}

/** Run checks in order; the first deny wins; a request without AAP credentials (`authRequired: false`) stops here. */
async function run(ctx: CheckContext, checks: readonly Check[]): Promise<Deny | undefined> {
  try {
    for (const check of checks) {
      let outcome = check(ctx);
      if (outcome instanceof Promise) outcome = await outcome;
      if (outcome) return outcome;
      if (ctx.anonymous) return undefined;
    }
    return undefined;
  } catch (error) {
    if (error instanceof InfrastructureError) return deny(error.reason, { fault: error.message }, { headers: { 'retry-after': '5' } });
    return deny('internal_error', { fault: error instanceof Error ? error.message : String(error) });
  }
}
