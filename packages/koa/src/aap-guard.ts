import type { Guard } from '@aap-guard/core';
import {
  ROUTE_KEYS, andThen, checkKeys, healthRouteOptions, nodeFlow, resolveAdapterOptions, serveResourceMetadata,
  writeHealth, type Awaitable, type FlowOutcome, type HealthRouteOptions, type NodeFlow, type ResolvedAdapter,
} from '@aap-guard/core/node';
import type { Context, Middleware, Next } from 'koa';
import './augment.js';
import { DECLARATION, PUBLIC, listRoutes, resolveApp, resolveDeclaration, type RouteReport, type RouterLike } from './declared-routes.js';
import type { AapKoaOptions, RequireOptions } from './options.js';
import { respondDeny } from './respond.js';

/** The middleware returned by `aapGuard()`, with per-route declarations. */
export interface AapKoaMiddleware extends Middleware {
  /**
   * Declare the AAP action of a route (`router.get('/x', aap.require('search.web'), handler)`).
   * Compiled once, here; per request the route is authorized through the core.
   */
  require(action: string, options?: RequireOptions): Middleware;
  /** Opt a route out of the guard entirely (`router.get('/health', aap.public(), handler)`): no authentication. */
  public(): Middleware;
  /** The routers' routes and what the guard does with each: declared, public, or undeclared (refused in `deny` mode). */
  routes(app: { readonly middleware?: readonly unknown[] }): RouteReport[];
  /**
   * A public readiness route (`router.get('/ready', aap.health())`): 200 `{ "status": "ready" }` or 503
   * `{ "status": "not_ready", "reason": "keys_unavailable" }`. `{ detail: true }` adds `guard.health()`
   * (JWKS URLs, last fetch errors): mount that one on an internal route only.
   */
  health(options?: HealthRouteOptions): Middleware;
  /**
   * Mount a router so that its undeclared routes are refused even without `app.use(aap)` (which finds
   * routers mounted after it by itself: `app.use(aap).use(router.routes())` is enough).
   */
  router(router: RouterLike): Middleware;
  /** The guard behind this middleware (share it with other apps via `aapGuard({ guard })`). */
  readonly guard: Guard;
}

/**
 * Koa adapter (Koa 3 and 2, with @koa/router): `app.use(aap)` authenticates every request and sets
 * `ctx.state.aap`; `aap.require(action, { target })` authorizes a route's action; a route of a router
 * mounted after `aap` with neither a declaration nor `aap.public()` is refused (403 `route_undeclared`)
 * before any of its middleware runs, unless `undeclared: 'allow'`. The adapter holds no rule: it
 * translates the request for the core and the core's outcome into the response.
 *
 * @example
 * import Koa from 'koa';
 * import Router from '@koa/router';
 * import { aapGuard, principalOf } from '@aap-guard/koa';
 * const app = new Koa();
 * const router = new Router();
 * const aap = aapGuard({ issuer: 'https://as.example.com', audience: 'https://api.example.com' });
 * router.get('/v1/search', aap.require('search.web', { target: (ctx) => ctx.query.url }), (ctx) => {
 *   ctx.body = { agent: principalOf(ctx).claims.agent.id };
 * });
 * app.use(aap).use(router.routes());
 */
export function aapGuard(options?: AapKoaOptions): AapKoaMiddleware {
  const adapter = resolveAdapterOptions<Context>('aapGuard', options as Record<string, unknown> | undefined, process.env);
  const flow = nodeFlow(adapter.guard);
  const middleware: Middleware = (ctx, next) => {
    if (serveResourceMetadata(adapter.guard, ctx.req, ctx.res, ctx.originalUrl)) {
      ctx.respond = false; // RFC 9728: answered, public, before anything else
      return;
    }
    if (adapter.skip?.(ctx)) return next();
    const resolution = resolveApp(ctx.app, middleware, ctx as Context & { newRouterPath?: string }, adapter.guard);
    // Opted out, or declared by another guard: that guard checks it with its own options, all of them.
    if (resolution === 'public' || resolution === 'foreign') return next();
    return guarded(adapter, flow, ctx, next, () => {
      if (ctx.state.aap !== undefined) return PASS; // mounted twice: authenticated once
      return andThen(flow.begin(ctx.req, ctx.res, ctx.originalUrl, parsedBody(ctx)), (begun) => {
        if (begun.kind !== 'authenticated') return begun;
        ctx.state.aap = begun.principal;
        if (resolution === 'declared') {
          flow.defer(ctx.req, ctx.res); // its declaration authorizes it
          return PASS;
        }
        if (resolution === 'undeclared' && adapter.undeclared === 'deny') {
          return { kind: 'deny', decision: flow.refuse(ctx.req, 'route_undeclared', { check: 'koa.undeclared', path: ctx.path }) };
        }
        return flow.finish(ctx.req, ctx.res); // undeclared in `allow` mode, or no route (404): the proof is consumed
      });
    });
  };
  const require = (action: string, options: RequireOptions = {}): Middleware => {
    checkKeys(options, [...ROUTE_KEYS, 'target'], `aap.require('${action}', options)`);
    const { target, ...spec } = options;
    const route = adapter.guard.route({ ...spec, action }); // validated once; TypeError on a bad declaration
    const declared: Middleware = (ctx, next) => {
      if (adapter.skip?.(ctx)) return next();
      const parts = () => ({
        target: target?.(ctx),
        params: (ctx as Context & { params?: unknown }).params,
        url: ctx.originalUrl,
        parsedBody: parsedBody(ctx),
      });
      return guarded(adapter, flow, ctx, next, () => flow.finish(ctx.req, ctx.res, route, parts(), { onRequestTooLarge: () => void (ctx.respond = false) }));
    };
    return Object.assign(declared, { [DECLARATION]: Object.freeze({ action, guard: adapter.guard }) });
  };
  const optOut = (): Middleware => Object.assign((_ctx: Context, next: Next) => next(), { [PUBLIC]: true as const });
  const health = (given?: HealthRouteOptions): Middleware => {
    const settings = healthRouteOptions(given, 'aap.health');
    return Object.assign((ctx: Context) => {
      ctx.respond = false;
      writeHealth(adapter.guard, ctx.res, settings);
    }, { [PUBLIC]: true as const });
  };
  const mount = (router: RouterLike): Middleware => {
    const dispatch = router.routes() as unknown as Middleware;
    if (adapter.undeclared === 'allow') return dispatch;
    const mounted: Middleware = (ctx, next) => {
      if (adapter.skip?.(ctx) || ctx.state.aap !== undefined) return dispatch(ctx, next); // app.use(aap) resolved it
      if (resolveDeclaration(router, ctx as Context & { newRouterPath?: string }, adapter.guard) !== 'undeclared') return dispatch(ctx, next);
      // 401 before 403, as for any other route
      return guarded(adapter, flow, ctx, () => dispatch(ctx, next), () =>
        andThen(flow.begin(ctx.req, ctx.res, ctx.originalUrl, parsedBody(ctx)), (begun) =>
          begun.kind !== 'authenticated' ? begun : { kind: 'deny', decision: flow.refuse(ctx.req, 'route_undeclared', { check: 'koa.undeclared', path: ctx.path }) },
        ),
      );
    };
    return Object.assign(mounted, { router });
  };
  return Object.assign(middleware, { require, public: optOut, routes: listRoutes, health, router: mount, guard: adapter.guard });
}

/** Run a guard step and translate its outcome: next(), a deny, or — for any exception in the guard path — an audited 503. */
function guarded(adapter: ResolvedAdapter<Context>, flow: NodeFlow, ctx: Context, next: Next, step: () => Awaitable<FlowOutcome>): Promise<void> | void {
  const faulted = (error: unknown): FlowOutcome => ({ kind: 'deny', decision: flow.fault(ctx.req, error) });
  let outcome: Awaitable<FlowOutcome>;
  try {
    outcome = step(); // called synchronously: its first act watches the body
  } catch (error) {
    outcome = faulted(error);
  }
  // Settled already (a cached token, the memory store): no promise of ours before the app's next().
  if (outcome instanceof Promise) return outcome.then(undefined, faulted).then((settled) => proceed(adapter, ctx, next, settled));
  return proceed(adapter, ctx, next, outcome);
}

/** A settled outcome: a deny written, or the decision's headers set and on to the app. */
function proceed(adapter: ResolvedAdapter<Context>, ctx: Context, next: Next, outcome: FlowOutcome): Promise<void> | void {
  if (outcome.kind === 'deny') return respondDeny(adapter, ctx, outcome.decision);
  if (outcome.kind === 'allow') {
    ctx.state.aap = outcome.principal;
    ctx.set(outcome.decision.headers); // RateLimit…, a fresh DPoP-Nonce, on allowed responses too
    if (!outcome.proceed) {
      ctx.respond = false; // a size limit refused it; the 413 was written to the socket
      return;
    }
  }
  return next(); // errors of the app's own middleware propagate as usual
}

const PASS: FlowOutcome = Object.freeze({ kind: 'pass' });

/** What a body parser before the guard (koa-bodyparser, @koa/bodyparser, koa-body) left: the core reads a form token there. */
const parsedBody = (ctx: Context): unknown => (ctx.request as { body?: unknown }).body;
