import type { Guard } from '@aap-guard/core';
import {
  ROUTE_KEYS,
  andThen,
  checkKeys,
  healthRouteOptions,
  metadataReach,
  nodeFlow,
  resolveAdapterOptions,
  serveResourceMetadata,
  writeHealth,
  type Awaitable,
  type FlowOutcome,
  type HealthRouteOptions,
  type NodeFlow,
  type AdapterSettings,
} from '@aap-guard/core/node';
import { openApiPathParams, openApiRoutes, openApiTarget } from '@aap-guard/core/openapi';
import type { Context, Middleware, Next } from 'koa';
import './augment.js';
import { appRoutes, isPublic, misplacedPublic, type AppResolution } from './app-routes.js';
import { DECLARATION, PUBLIC, listRoutes, resolveDeclaration, type RouteReport } from './declared-routes.js';
import type { Document, Documented, RouterLike, RoutingInput } from './declared-routes.js';
import { KOA_KEYS, type AapKoaOptions, type RequireOptions } from './options.js';
import { refuseUnseenRoutes } from './refuse-unseen-routes.js';
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
  /**
   * The routers' routes and what the guard does with each: declared, public, or undeclared (refused in `deny` mode).
   */
  routes(app: { readonly middleware?: readonly unknown[] }): RouteReport[];
  /**
   * A public readiness route (`router.get('/ready', aap.health())`): 200 `{ "status": "ready" }` or 503
   * `{ "status": "not_ready", "reason": "keys_unavailable" }`. `{ detail: true }` adds `guard.health()`
   * (JWKS URLs, last fetch errors): mount that one on an internal route only.
   */
  health(options?: HealthRouteOptions): Middleware;
  /**
   * Mount a router so that its undeclared routes are refused before any of its middleware runs, with or
   * without `app.use(aap)` (which finds routers mounted after it by itself — `app.use(aap).use(router.routes())`
   * is enough — and refuses routes it cannot see, behind koa-mount, when they dispatch).
   */
  router(router: RouterLike): Middleware;
  /**
   * The resource's RFC 9728 metadata document, public, on its well-known paths (others go on). `aap` answers
   * them itself where it sees them; behind koa-mount (`app.use(mount('/api', aap))`, a mounted sub-app) it
   * never does — add this at the app's root then: `app.use(aap.metadata())`.
   */
  metadata(): Middleware;
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
  const adapter = resolveAdapterOptions<Context>(
    'aapGuard',
    options as Record<string, unknown> | undefined,
    process.env,
    KOA_KEYS,
  );
  const { guard, skip } = adapter;
  const flow = nodeFlow(guard);
  const given = (options as { openApi?: unknown } | undefined)?.openApi;
  // Read and compiled once, here: a malformed document or declaration is a TypeError at startup.
  const document: Document | undefined =
    given === undefined ? undefined : openApiRoutes(given, (spec) => guard.route(spec));
  const routes = appRoutes(guard, document);
  const ask = skip && ((ctx: Context) => onClientPath(skip, ctx));
  // Decided once per request and guard, on the path the client sent (koa-mount strips `ctx.path` below it).
  const skipped = (ctx: Context): boolean => ask !== undefined && flow.skipped(ctx.req, ask, ctx);
  const sees = (ctx: Context, router: RouterLike) => routes.after(ctx.app, middleware).routers.includes(router);
  const watch = adapter.undeclared === 'deny' ? refuseUnseenRoutes(adapter, flow, sees) : undefined;
  const reach = metadataReach(guard); // behind koa-mount, the document is out of sight: said once
  const middleware: Middleware = (ctx, next) => {
    if (serveResourceMetadata(guard, ctx.req, ctx.res, ctx.originalUrl)) {
      ctx.respond = false; // RFC 9728: answered, public, before anything else
      return;
    }
    const mountPath = (ctx as { mountPath?: unknown }).mountPath; // set by koa-mount
    if (typeof mountPath === 'string') reach.mountedAt(mountPath);
    if (skipped(ctx)) return next();
    const mounted = routes.after(ctx.app, middleware);
    // Never silently ignored: an audited 503 (the startup report, `aap.routes(app)`, throws it first).
    if (mounted.misplaced)
      return guarded(adapter, flow, ctx, next, () => {
        throw misplacedPublic();
      });
    if (mounted.opaque && watch && !mounted.watched) {
      watch(ctx); // a router may hide in what comes after: its routes are resolved when they dispatch
      mounted.watched = true;
    }
    const resolution = routes.resolve(mounted, ctx as RoutingInput);
    // Opted out, or declared by another guard: that guard checks it with its own options, all of them.
    if (resolution === 'public' || resolution === 'foreign') return next();
    // Declared by the `openApi` document (no declaration of the app's own runs before it): authorized here, whole.
    if (typeof resolution === 'object')
      return guarded(adapter, flow, ctx, next, () => authorizeDocumented(flow, resolution, ctx));
    return guarded(adapter, flow, ctx, next, () => authenticate(adapter, flow, resolution, ctx));
  };
  const require = (action: string, options: RequireOptions = {}): Middleware => {
    checkKeys(options, [...ROUTE_KEYS, 'target'], `aap.require('${action}', options)`);
    const { target, ...spec } = options;
    const route = guard.route({ ...spec, action }); // validated once; TypeError on a bad declaration
    const declared: Middleware = (ctx, next) => {
      if (skipped(ctx)) return next(); // the decision the app-wide middleware made, on the client's path
      const parts = () => ({
        target: target?.(ctx),
        params: (ctx as Context & { params?: unknown }).params,
        url: ctx.originalUrl,
        parsedBody: parsedBody(ctx),
      });
      return guarded(adapter, flow, ctx, next, () =>
        flow.finish(ctx.req, ctx.res, route, parts(), { onRequestTooLarge: () => void (ctx.respond = false) }),
      );
    };
    return Object.assign(declared, { [DECLARATION]: Object.freeze({ action, guard, route }) });
  };
  const optOut = (): Middleware => Object.assign((_ctx: Context, next: Next) => next(), { [PUBLIC]: true as const });
  const health = (given?: HealthRouteOptions): Middleware => {
    const settings = healthRouteOptions(given, 'aap.health');
    return Object.assign(
      (ctx: Context) => {
        ctx.respond = false;
        writeHealth(guard, ctx.res, settings);
      },
      { [PUBLIC]: true as const },
    );
  };
  const mount = (router: RouterLike): Middleware => {
    const dispatch = router.routes() as unknown as Middleware;
    if (adapter.undeclared === 'allow' && !document) return dispatch;
    // Resolved here, where the router runs (also behind koa-mount): whether or not `app.use(aap)` ran before.
    const mountedRouter: Middleware = (ctx, next) => {
      if (skipped(ctx)) return dispatch(ctx, next);
      const resolution = resolveDeclaration(router, ctx as RoutingInput, guard, document);
      // Declared by the document: authorized here (after `app.use(aap)` authorized it already, the same decision
      // again).
      if (typeof resolution === 'object')
        return guarded(
          adapter,
          flow,
          ctx,
          () => dispatch(ctx, next),
          () => authorizeDocumented(flow, resolution, ctx),
        );
      if (resolution !== 'undeclared' || adapter.undeclared === 'allow') return dispatch(ctx, next);
      return guarded(
        adapter,
        flow,
        ctx,
        () => dispatch(ctx, next),
        () => refuseUndeclared(flow, ctx),
      );
    };
    return Object.assign(mountedRouter, { router });
  };
  const report = (app: { readonly middleware?: readonly unknown[] }): RouteReport[] => {
    if (Array.isArray(app?.middleware) && app.middleware.some(isPublic)) throw misplacedPublic();
    return listRoutes(app, guard, adapter.undeclared, document);
  };
  const metadata = (): Middleware => {
    reach.served();
    // Not marked public: in `app.use()` that mark is refused (it would speak for every route after it).
    return (ctx, next) => {
      if (!serveResourceMetadata(guard, ctx.req, ctx.res, ctx.originalUrl)) return next();
      ctx.respond = false;
      return undefined;
    };
  };
  return Object.assign(middleware, {
    require,
    public: optOut,
    routes: report,
    health,
    router: mount,
    metadata,
    guard,
  });
}

/** Steps 1–4 for every request; then, by what the route resolution says, defer, hold open, refuse or settle it. */
function authenticate(
  adapter: AdapterSettings<Context>,
  flow: NodeFlow,
  resolution: AppResolution,
  ctx: Context,
): Awaitable<FlowOutcome> {
  // This guard's own state, never `ctx.state.aap` (another guard's principal may be there): mounted
  // twice, a request this guard authenticated goes on; one it refused is refused again.
  const state = flow.state(ctx.req);
  if (state === 'open' || state === 'unresolved' || state === 'settled') return PASS;
  const declared = resolution === 'declared';
  return andThen(flow.begin(ctx.req, ctx.res, ctx.originalUrl, parsedBody(ctx), declared), (begun) => {
    if (begun.kind !== 'authenticated') return begun;
    ctx.state.aap = begun.principal;
    if (resolution === 'declared') {
      flow.defer(ctx.req, ctx.res); // its declaration authorizes it
      return PASS;
    }
    if (resolution === 'undeclared' && adapter.undeclared === 'deny') return refusal(flow, ctx);
    // A route behind middleware we cannot see into, an undeclared one in `allow` mode, or no route (404): its
    // proof consumed now, the request left open — a declaration the resolution cannot see (behind koa-mount,
    // wrapped in another function) continues it when it runs.
    return flow.unresolved(ctx.req, ctx.res);
  });
}

/**
 * A route the `openApi` document declares: the whole check in one run, before the router dispatches — its
 * path parameters read from the operation's template (the router sets `ctx.params` only when it
 * dispatches), its target from the parameter `x-aap-action.target` names.
 */
function authorizeDocumented(flow: NodeFlow, documented: Documented, ctx: Context): Awaitable<FlowOutcome> {
  const { operation, compiled } = documented.declared;
  const params = openApiPathParams(operation, documented.path);
  const parts = {
    target: openApiTarget(operation, params, ctx.query),
    params,
    url: ctx.originalUrl,
    parsedBody: parsedBody(ctx),
  };
  return flow.finish(ctx.req, ctx.res, compiled, parts, { onRequestTooLarge: () => void (ctx.respond = false) });
}

/** An undeclared route of a router mounted with `aap.router()`: refused after authentication (401 before 403). */
function refuseUndeclared(flow: NodeFlow, ctx: Context): Awaitable<FlowOutcome> {
  const state = flow.state(ctx.req);
  if (state === 'settled') return PASS; // a declaration of this guard above the router authorized it
  if (state === 'open' || state === 'unresolved') return refusal(flow, ctx);
  // Not begun by this guard (no `app.use(aap)`), or refused already (refused again, the same way).
  const begun = flow.begin(ctx.req, ctx.res, ctx.originalUrl, parsedBody(ctx));
  return andThen(begun, (outcome) => (outcome.kind === 'authenticated' ? refusal(flow, ctx) : outcome));
}

/** 403 `route_undeclared` for a request this guard authenticated. */
function refusal(flow: NodeFlow, ctx: Context): FlowOutcome {
  const decision = flow.refuse(ctx.req, 'route_undeclared', { check: 'koa.undeclared', path: ctx.path });
  return { kind: 'deny', decision };
}

/** `skip(ctx)` with the URL (so `ctx.path`) as the client sent it, then restored — below koa-mount too. */
function onClientPath(skip: (ctx: Context) => boolean, ctx: Context): boolean {
  const { req } = ctx;
  const url = req.url;
  if (url === ctx.originalUrl) return skip(ctx);
  req.url = ctx.originalUrl;
  try {
    return skip(ctx);
  } finally {
    req.url = url;
  }
}

/**
 * Run a guard step and translate its outcome: next(), a deny, or — for any exception in the guard path — an audited
 * 503.
 */
function guarded(
  adapter: AdapterSettings<Context>,
  flow: NodeFlow,
  ctx: Context,
  next: Next,
  step: () => Awaitable<FlowOutcome>,
): Promise<void> | void {
  const faulted = (error: unknown): FlowOutcome => ({ kind: 'deny', decision: flow.fault(ctx.req, error) });
  let outcome: Awaitable<FlowOutcome>;
  try {
    outcome = step(); // called synchronously: its first act watches the body
  } catch (error) {
    outcome = faulted(error);
  }
  // Settled already (a cached token, the memory store): no promise of ours before the app's next().
  if (outcome instanceof Promise)
    return outcome.then(undefined, faulted).then((settled) => proceed(adapter, ctx, next, settled));
  return proceed(adapter, ctx, next, outcome);
}

/** A settled outcome: a deny written, or the decision's headers set and on to the app. */
function proceed(
  adapter: AdapterSettings<Context>,
  ctx: Context,
  next: Next,
  outcome: FlowOutcome,
): Promise<void> | void {
  if (outcome.kind === 'deny') return respondDeny(adapter, ctx, outcome.decision);
  if (outcome.kind === 'allow') {
    ctx.state.aap = outcome.principal;
    ctx.set(outcome.decision.headers); // RateLimit…, a fresh DPoP-Nonce, on allowed responses too
    if (!outcome.proceed) {
      ctx.respond = false; // a size limit refused it; the 413 was written to the socket
      return;
    }
  } else if (outcome.kind === 'authenticated' && outcome.headers) ctx.set(outcome.headers);
  return next(); // errors of the app's own middleware propagate as usual
}

const PASS: FlowOutcome = Object.freeze({ kind: 'pass' });

/**
 * What a body parser before the guard (koa-bodyparser, @koa/bodyparser, koa-body) left: the core reads a form token
 * there.
 */
const parsedBody = (ctx: Context): unknown => (ctx.request as { body?: unknown }).body;
