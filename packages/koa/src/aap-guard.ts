import {
  adapterDecision,
  enforceLimits,
  nodeRequestInfo,
  routeRequestInfo,
  trackRequestBody,
  type CompiledRoute,
  type Decision,
  type Guard,
  type RequestInfo,
} from '@aap-guard/core';
import type { Context, Middleware, Next } from 'koa';
import './augment.js';
import { DECLARATION, resolveDeclaration, type RouterLike } from './declared-routes.js';
import { resolveAdapter, type AapKoaOptions, type RequireOptions } from './options.js';
import { respondDeny } from './respond.js';

/** The middleware returned by `aapGuard()`, with per-route declarations. */
export interface AapKoaMiddleware extends Middleware {
  /**
   * Declare the AAP action of a route (`router.get('/x', aap.require('search.web'), handler)`).
   * Compiled once, here; per request the route is authorized through the core.
   */
  require(action: string, options?: RequireOptions): Middleware;
  /**
   * Mount a @koa/router router: `app.use(aap.router(router))` instead of `app.use(router.routes())`.
   * With `undeclared: 'deny'`, a route of this router without a declaration is refused (403
   * `route_undeclared`) before any of its middleware runs; with `allow` it is `router.routes()`.
   */
  router(router: RouterLike): Middleware;
  /** The guard behind this middleware (share it with other apps via `aapGuard({ guard })`). */
  readonly guard: Guard;
}

/** Per-request state left by the global middleware for `require()`. */
const STATE = Symbol('aap-guard.koa.state');
type GuardedContext = Context & { [STATE]?: { readonly info: RequestInfo; readonly decision: Decision } };
type Step = (ctx: GuardedContext) => Promise<boolean>;

/**
 * Koa adapter (Koa 3 and 2): `app.use(aap)` authenticates every request and sets `ctx.state.aap`;
 * `aap.require(action, { target })` authorizes a route's action (usable with @koa/router). The
 * adapter holds no rule: it translates the request for the core and the `Decision` into the response.
 * Without options, reads `AAP_ISSUER`, `AAP_AUDIENCE`, `AAP_JWKS_URI` (core's `optionsFromEnv`).
 *
 * @example
 * import Koa from 'koa';
 * import Router from '@koa/router';
 * import { aapGuard } from '@aap-guard/koa';
 * const app = new Koa();
 * const router = new Router();
 * const aap = aapGuard({ issuer: 'https://as.example.com', audience: 'https://api.example.com' });
 * router.get('/v1/search', aap.require('search.web', { target: (ctx) => ctx.query.url }), (ctx) => {
 *   ctx.body = { agent: ctx.state.aap?.claims.agent.id };
 * });
 * app.use(aap).use(aap.router(router));
 */
export function aapGuard(options?: AapKoaOptions): AapKoaMiddleware {
  const { guard, undeclared } = resolveAdapter(options, options ? {} : process.env);
  const middleware = guarded(guard, (ctx) => authenticate(guard, ctx));
  const require = (action: string, { target, ...spec }: RequireOptions = {}): Middleware => {
    const route = guard.route({ ...spec, action }); // validated once; TypeError on a bad declaration
    const declared = guarded(guard, (ctx) => authorize(guard, route, target, ctx));
    return Object.assign(declared, { [DECLARATION]: true as const });
  };
  const router = (mounted: RouterLike): Middleware => {
    const dispatch = mounted.routes() as unknown as Middleware;
    if (undeclared === 'allow') return dispatch;
    const check = guarded(guard, (ctx) => refuseUndeclared(guard, mounted, ctx));
    return (ctx, next) => check(ctx, () => dispatch(ctx, next));
  };
  return Object.assign(middleware, { require, router, guard });
}

/** Wrap a guard step: `true` → next(); an exception in the step → an audited 503 (never a 500). */
function guarded(guard: Guard, step: Step): Middleware {
  return async (ctx: Context, next: Next) => {
    trackRequestBody(ctx.req); // before any await: the body keeps arriving while the guard runs
    let proceed: boolean;
    try {
      proceed = await step(ctx);
    } catch (error) {
      fail(guard, ctx, error);
      return;
    }
    if (proceed) await next(); // errors of the app's own middleware propagate as usual
  };
}

async function authenticate(guard: Guard, ctx: GuardedContext): Promise<boolean> {
  if (ctx[STATE]) return true; // mounted twice: authenticate once
  const info = nodeRequestInfo(ctx.req);
  const decision = await guard.authenticate(info);
  if (!decision.allowed) return respondDeny(ctx, decision);
  ctx[STATE] = { info, decision };
  ctx.state.aap = decision.principal;
  ctx.set(decision.headers); // e.g. a fresh DPoP-Nonce (RFC 9449 §8.2) on an allowed response
  return true;
}

async function authorize(guard: Guard, route: CompiledRoute, target: RequireOptions['target'], ctx: GuardedContext): Promise<boolean> {
  const state = ctx[STATE];
  const chosen = target ? target(ctx) : undefined;
  if (chosen !== undefined && typeof chosen !== 'string') {
    // e.g. `?url=a&url=b` parsed to an array: never guess which one the handler will use
    if (!state && !(await authenticate(guard, ctx))) return false;
    const detail = { check: 'koa.target', type: Array.isArray(chosen) ? 'array' : typeof chosen };
    return respondDeny(ctx, adapterDecision(guard, 'request_invalid', { base: ctx[STATE]?.decision, detail }));
  }
  const info = routeRequestInfo(ctx.req, { target: chosen, params: ctx.params }, state?.info);
  const decision = state ? await guard.authorize(info, route, state.decision) : await guard.check(info, route);
  if (!decision.allowed) return respondDeny(ctx, decision);
  ctx.state.aap = decision.principal;
  ctx.set(decision.headers); // RateLimit… on allowed responses too
  const proceed = enforceLimits(guard, ctx.req, ctx.res, decision, { onRequestTooLarge: () => (ctx.respond = false) });
  if (!proceed) ctx.respond = false; // the 413 was written to the socket already
  return proceed;
}

async function refuseUndeclared(guard: Guard, router: RouterLike, ctx: GuardedContext): Promise<boolean> {
  if (resolveDeclaration(router, ctx as GuardedContext & { newRouterPath?: string; routerPath?: string }) !== 'undeclared') return true;
  if (!(await authenticate(guard, ctx))) return false; // 401 before 403, as for any other route
  const detail = { check: 'koa.undeclared', path: ctx.path };
  return respondDeny(ctx, adapterDecision(guard, 'route_undeclared', { base: ctx[STATE]?.decision, detail }));
}

/** Never a 500 from the guard path: any exception becomes an audited 503 deny. */
function fail(guard: Guard, ctx: GuardedContext, error: unknown): void {
  try {
    const detail = { fault: error instanceof Error ? error.message : String(error) };
    respondDeny(ctx, adapterDecision(guard, 'internal_error', { method: ctx.method, path: ctx.path, base: ctx[STATE]?.decision, detail }));
  } catch {
    ctx.respond = false;
    ctx.res.destroy();
  }
}
