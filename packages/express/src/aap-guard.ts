import type { Decision, Guard } from '@aap-guard/core';
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
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import './augment.js';
import {
  DECLARATION,
  PUBLIC,
  declarationResolver,
  listRoutes,
  type Document,
  type Documented,
  type Resolution,
  type RouteReport,
} from './declared-routes.js';
import { EXPRESS_KEYS, routeCacheSize, type AapExpressOptions, type RequireOptions } from './options.js';
import { respondDeny } from './respond.js';
import { refuseLaterRoutes } from './refuse-later-routes.js';

/** The middleware returned by `aapGuard()`, with per-route declarations. */
export interface AapMiddleware extends RequestHandler {
  /**
   * Declare the AAP action of a route. The declaration is compiled once, here (a bad one throws a
   * `TypeError` at startup); per request the route is authorized through the core.
   */
  require(action: string, options?: RequireOptions): RequestHandler;
  /** Opt a route out of the guard entirely (`app.get('/health', aap.public(), handler)`): no authentication. */
  public(): RequestHandler;
  /** Every route of `app` and what the guard does with it: declared, public, or undeclared (refused in `deny` mode). */
  routes(app: unknown): RouteReport[];
  /**
   * A public readiness route (`app.get('/ready', aap.health())`): 200 `{ "status": "ready" }` or 503
   * `{ "status": "not_ready", "reason": "keys_unavailable" }`. `{ detail: true }` adds `guard.health()`
   * (JWKS URLs, last fetch errors): mount that one on an internal route only.
   */
  health(options?: HealthRouteOptions): RequestHandler;
  /**
   * The resource's RFC 9728 metadata document, public, on its well-known paths (others go on: `next()`). `aap`
   * answers them itself where it sees them; mounted under a path (`app.use('/api', aap)`, a router, a sub-app)
   * it never does — mount this at the app's root then: `app.use(aap.metadata())`.
   */
  metadata(): RequestHandler;
  /** The guard behind this middleware (share it with other apps via `aapGuard({ guard })`). */
  readonly guard: Guard;
}

/**
 * Express adapter (Express 5 and 4): `app.use(aap)` authenticates every request and sets `req.aap`;
 * `aap.require(action, { target })` authorizes a route's action; routes without a declaration are refused
 * (403 `route_undeclared`) unless `aap.public()` opts them out or `undeclared: 'allow'`. The adapter holds
 * no rule: it translates the request for the core and the core's outcome into the response.
 *
 * @example
 * import express from 'express';
 * import { aapGuard } from '@aap-guard/express';
 * const app = express();
 * const aap = aapGuard({ issuer: 'https://as.example.com', audience: 'https://api.example.com' });
 * app.use(aap);
 * app.get('/v1/search', aap.require('search.web', { target: (req) => req.query.url }), handler);
 * app.get('/health', aap.public(), (_req, res) => res.json({ ok: true }));
 */
export function aapGuard(options?: AapExpressOptions): AapMiddleware {
  const adapter = resolveAdapterOptions<Request>(
    'aapGuard',
    options as Record<string, unknown> | undefined,
    process.env,
    EXPRESS_KEYS,
  );
  const flow = nodeFlow(adapter.guard);
  const given = (options as { openApi?: unknown } | undefined)?.openApi;
  // Read and compiled once, here: a malformed document or declaration is a TypeError at startup.
  const document: Document | undefined =
    given === undefined ? undefined : openApiRoutes(given, (spec) => adapter.guard.route(spec));
  const resolve = declarationResolver(adapter.guard, routeCacheSize(options), document);
  const { skip } = adapter;
  const seam: Seam = {
    adapter,
    flow,
    ask: skip && ((req) => onClientPath(skip, req)),
    refused: adapter.denyAs === 'error' ? refuseLaterRoutes(adapter, flow) : undefined,
  };
  const reach = metadataReach(adapter.guard); // mounted under a path, the document is out of sight: said once
  const middleware: RequestHandler = (req, res, next) => {
    if (serveResourceMetadata(adapter.guard, req, res)) return; // RFC 9728: public, before anything else
    reach.mountedAt(req.baseUrl);
    if (skipped(seam, req)) return next();
    const path = appPath(req);
    const resolution = resolve(req.app, req.method, path);
    // Opted out, or declared by another guard: that guard checks it with its own options, all of them.
    if (resolution === 'public' || resolution === 'foreign') return next();
    // Declared by the `openApi` document (no declaration of the app's own runs before it): authorized here, whole.
    if (typeof resolution === 'object')
      return guarded(seam, req, res, next, () => authorizeDocumented(flow, resolution, path, req, res));
    guarded(seam, req, res, next, () => authenticate(adapter, flow, resolution, req, res));
  };
  const require = (action: string, options: RequireOptions = {}): RequestHandler => {
    checkKeys(options, [...ROUTE_KEYS, 'target'], `aap.require('${action}', options)`);
    const { target, ...spec } = options;
    const route = adapter.guard.route({ ...spec, action }); // validated once; TypeError on a bad declaration
    const declared: RequestHandler = (req, res, next) => {
      if (skipped(seam, req)) return next(); // the decision the app-wide middleware made, on the client's path
      guarded(seam, req, res, next, () =>
        flow.finish(req, res, route, { target: target?.(req), params: req.params, parsedBody: req.body }),
      );
    };
    return Object.assign(declared, { [DECLARATION]: Object.freeze({ action, guard: adapter.guard, route }) });
  };
  const optOut = (): RequestHandler =>
    Object.assign((_req: Request, _res: Response, next: NextFunction) => next(), { [PUBLIC]: true as const });
  const health = (given?: HealthRouteOptions): RequestHandler => {
    const settings = healthRouteOptions(given, 'aap.health');
    const answer = (_req: Request, res: Response): void => writeHealth(adapter.guard, res, settings);
    return Object.assign(answer, { [PUBLIC]: true as const });
  };
  const metadata = (): RequestHandler => {
    reach.served();
    // Not marked public: mounted at the root, that mark would speak for every route after it.
    return (req, res, next) => {
      if (!serveResourceMetadata(adapter.guard, req, res)) next();
    };
  };
  const routes = (app: unknown): RouteReport[] => listRoutes(app, adapter.guard, adapter.undeclared, document);
  return Object.assign(middleware, { require, public: optOut, routes, health, metadata, guard: adapter.guard });
}

/** What every middleware of one `aapGuard()` shares. */
interface Seam {
  readonly adapter: AdapterSettings<Request>;
  readonly flow: NodeFlow;
  /** `skip`, asked on the path the client sent; made once. */
  readonly ask: ((req: Request) => boolean) | undefined;
  /** `denyAs: 'error'`: keeps every later route from running for a request this guard refused. */
  readonly refused: ((req: Request) => void) | undefined;
}

/**
 * Whether `skip` leaves the request to the app: asked once per request and guard, on the path the client
 * sent (`req.originalUrl`); a declaration below a router, where `req.path` is the part below the router's
 * mount, gets the same answer.
 */
function skipped({ flow, ask }: Seam, req: Request): boolean {
  return ask !== undefined && flow.skipped(req, ask, req);
}

/** `skip(req)` with `req.url` (so `req.path`) as the client sent it, then restored — as Express's router does. */
function onClientPath(skip: (req: Request) => boolean, req: Request): boolean {
  const url = req.url;
  if (url === req.originalUrl) return skip(req);
  req.url = req.originalUrl;
  try {
    return skip(req);
  } finally {
    req.url = url;
  }
}

/**
 * A route the `openApi` document declares: the whole check in one run, before the route's handlers — its
 * path parameters read from the operation's template (Express parses them only when the route runs), its
 * target from the parameter `x-aap-action.target` names.
 */
function authorizeDocumented(
  flow: NodeFlow,
  documented: Documented,
  path: string,
  req: Request,
  res: Response,
): Awaitable<FlowOutcome> {
  const params = openApiPathParams(documented.operation, path);
  return flow.finish(req, res, documented.compiled, {
    target: openApiTarget(documented.operation, params, req.query),
    params,
    parsedBody: req.body,
  });
}

/** Steps 1–4 for every request; then, by what the route resolution says, defer, refuse or settle it. */
function authenticate(
  adapter: AdapterSettings<Request>,
  flow: NodeFlow,
  resolution: Resolution,
  req: Request,
  res: Response,
): Awaitable<FlowOutcome> {
  // This guard's own state, never `req.aap` (another guard's principal may be there): mounted again (a
  // router, a sub-app), a request this guard authenticated goes on; one it refused is refused again.
  const state = flow.state(req);
  if (state === 'open' || state === 'unresolved' || state === 'settled') return PASS;
  // `req.body`: what a parser mounted before the guard made of the body — the core reads a form body's token there
  const begun = flow.begin(req, res, undefined, req.body, resolution === 'declared');
  return andThen(begun, (outcome) => afterAuthentication(adapter, flow, resolution, req, res, outcome));
}

function afterAuthentication(
  adapter: AdapterSettings<Request>,
  flow: NodeFlow,
  resolution: Resolution,
  req: Request,
  res: Response,
  begun: FlowOutcome,
): Awaitable<FlowOutcome> {
  if (begun.kind !== 'authenticated') return begun;
  req.aap = begun.principal;
  if (resolution === 'declared') {
    flow.defer(req, res); // its declaration authorizes it
    return PASS;
  }
  if (resolution === 'undeclared' && adapter.undeclared === 'deny') {
    return {
      kind: 'deny',
      decision: flow.refuse(req, 'route_undeclared', {
        check: 'express.undeclared',
        path: req.originalUrl.split('?')[0],
      }),
    };
  }
  // An undeclared route in `allow` mode, or no route at all (404): its proof is consumed now, and the request
  // stays open — a declaration this resolution cannot see (wrapped in another function) continues it.
  return flow.unresolved(req, res);
}

/**
 * Run a guard step and translate its outcome: next(), a deny, or — for any exception — an audited 503 (never a 500).
 */
function guarded(seam: Seam, req: Request, res: Response, next: NextFunction, step: () => Awaitable<FlowOutcome>) {
  const failed = (error: unknown): void => {
    try {
      refuse(seam, req, res, next, seam.flow.fault(req, error));
    } catch {
      res.destroy();
    }
  };
  const settled = (outcome: FlowOutcome): void => {
    if (outcome.kind === 'deny') return refuse(seam, req, res, next, outcome.decision);
    if (outcome.kind === 'allow') {
      req.aap = outcome.principal;
      setHeaders(res, outcome.decision.headers); // RateLimit…, a fresh DPoP-Nonce, on allowed responses too
      if (!outcome.proceed) return undefined; // a size limit refused it; the 413 is written
    } else if (outcome.kind === 'authenticated' && outcome.headers) setHeaders(res, outcome.headers);
    next();
  };
  let outcome: Awaitable<FlowOutcome>;
  try {
    outcome = step(); // synchronously: its first act watches the body
  } catch (error) {
    return failed(error);
  }
  // Settled already (a cached token, the memory store): on in this tick, no promise. `next()` runs
  // outside the try, so an exception of the app's own handlers stays theirs (Express's error handling).
  if (!(outcome instanceof Promise)) return settled(outcome);
  outcome.then(settled, failed);
}

/** Write the deny, or hand it to the app's error handling — after which no later route may run for it. */
function refuse(seam: Seam, req: Request, res: Response, next: NextFunction, decision: Decision): void {
  seam.refused?.(req);
  respondDeny(seam.adapter, res, next, decision);
}

/** `res.setHeader` for each (Express's `res.set` also parses a charset into Content-Type: not needed here). */
function setHeaders(res: Response, headers: Readonly<Record<string, string>>): void {
  for (const name in headers) res.setHeader(name, headers[name]!);
}

const PASS: FlowOutcome = Object.freeze({ kind: 'pass' });

/**
 * The request path as the app's router matches it: in the top-level app, the mount path of the
 * middleware (`app.use('/api', aap)`, `router.use(aap)`) is part of it; in a mounted sub-app
 * (`app.parent` set) the sub-app's own mount prefix is not.
 */
function appPath(req: Request): string {
  return (req.app as { parent?: unknown }).parent ? req.path : req.baseUrl + req.path;
}
