import {
  adapterDecision,
  enforceLimits,
  nodeRequestInfo,
  routeRequestInfo,
  trackRequestBody,
  writeDeny,
  type CompiledRoute,
  type Decision,
  type Guard,
  type RequestInfo,
} from '@aap-guard/core';
import type { Request, RequestHandler, Response } from 'express';
import './augment.js';
import { DECLARATION, declarationResolver, type Resolver } from './declared-routes.js';
import { resolveAdapter, type AapExpressOptions, type RequireOptions } from './options.js';

/** The middleware returned by `aapGuard()`, with per-route declarations. */
export interface AapMiddleware extends RequestHandler {
  /**
   * Declare the AAP action of a route. The declaration is compiled once, here; per request the
   * route is authorized through the core (`guard.authorize`, or `guard.check` without `app.use(aap)`).
   */
  require(action: string, options?: RequireOptions): RequestHandler;
  /** The guard behind this middleware (share it with other apps via `aapGuard({ guard })`). */
  readonly guard: Guard;
}

/** Per-request state left by the global middleware for `require()`. */
const STATE = Symbol('aap-guard.express.state');
type GuardedRequest = Request & { [STATE]?: { readonly info: RequestInfo; readonly decision: Decision } };

/**
 * Express adapter (Express 5 and 4): `app.use(aap)` authenticates every request and sets `req.aap`;
 * `aap.require(action, { target })` authorizes a route's action. The adapter holds no rule: it
 * translates the request for the core and the core's `Decision` into the response.
 * Without options, reads `AAP_ISSUER`, `AAP_AUDIENCE`, `AAP_JWKS_URI` (core's `optionsFromEnv`).
 *
 * @example
 * import express from 'express';
 * import { aapGuard } from '@aap-guard/express';
 * const app = express();
 * const aap = aapGuard({ issuer: 'https://as.example.com', audience: 'https://api.example.com' });
 * app.use(aap);
 * app.get('/v1/search', aap.require('search.web', { target: (req) => req.query.url }), handler);
 */
export function aapGuard(options?: AapExpressOptions): AapMiddleware {
  const { guard, undeclared, routeCacheSize } = resolveAdapter(options, options ? {} : process.env);
  const resolver = undeclared === 'deny' ? declarationResolver(routeCacheSize) : undefined;
  const middleware = handler(guard, (req, res) => authenticate(guard, resolver, req, res));
  const require = (action: string, { target, ...spec }: RequireOptions = {}): RequestHandler => {
    const route = guard.route({ ...spec, action }); // validated once; TypeError on a bad declaration
    const declared = handler(guard, (req, res) => authorize(guard, route, target, req, res));
    return Object.assign(declared, { [DECLARATION]: true as const });
  };
  return Object.assign(middleware, { require, guard });
}

/** Wrap an async step: `true` → next(); any exception → an audited 503 (never a 500, never unhandled). */
function handler(guard: Guard, step: (req: GuardedRequest, res: Response) => Promise<boolean>): RequestHandler {
  return (req, res, next) => {
    trackRequestBody(req); // before any await: the body keeps arriving while the guard runs
    step(req, res)
      .then((ok) => ok && next())
      .catch((error: unknown) => fail(guard, req, res, error));
  };
}

async function authenticate(guard: Guard, resolver: Resolver | undefined, req: GuardedRequest, res: Response): Promise<boolean> {
  if (!req[STATE]) {
    const info = nodeRequestInfo(req);
    const decision = await guard.authenticate(info);
    if (!decision.allowed) return deny(res, decision);
    req[STATE] = { info, decision };
    req.aap = decision.principal;
    res.set(decision.headers); // e.g. a fresh DPoP-Nonce (RFC 9449 §8.2) on an allowed response
  }
  // Mounted again in a sub-app, `aap` does not authenticate twice; only the declaration check runs.
  if (resolver && resolver(req.app, req.method, appPath(req)) === 'undeclared') {
    const detail = { check: 'express.undeclared', path: req.path };
    return deny(res, adapterDecision(guard, 'route_undeclared', { base: req[STATE].decision, detail }));
  }
  return true;
}

async function authorize(guard: Guard, route: CompiledRoute, target: RequireOptions['target'], req: GuardedRequest, res: Response): Promise<boolean> {
  const state = req[STATE];
  const chosen = target ? target(req) : undefined;
  if (chosen !== undefined && typeof chosen !== 'string') {
    // e.g. `?url=a&url=b` parsed to an array: never guess which one the handler will use
    const detail = { check: 'express.target', type: Array.isArray(chosen) ? 'array' : typeof chosen };
    return deny(res, adapterDecision(guard, 'request_invalid', { method: req.method, path: req.path, base: state?.decision, detail }));
  }
  const info = routeRequestInfo(req, { target: chosen, params: req.params }, state?.info);
  const decision = state ? await guard.authorize(info, route, state.decision) : await guard.check(info, route);
  if (!decision.allowed) return deny(res, decision);
  req.aap = decision.principal;
  res.set(decision.headers); // RateLimit… on allowed responses too, as in the Fastify and Koa adapters
  return enforceLimits(guard, req, res, decision);
}

/**
 * The request path as the app's router matches it: in the top-level app, the mount path of the
 * middleware (`app.use('/api', aap)`, `router.use(aap)`) is part of it; in a mounted sub-app
 * (`app.parent` set) the sub-app's own mount prefix is not.
 */
function appPath(req: Request): string {
  return (req.app as { parent?: unknown }).parent ? req.path : req.baseUrl + req.path;
}

function deny(res: Response, decision: Decision): false {
  writeDeny(res, decision);
  return false;
}

/** Never a 500 from the guard path: any exception becomes an audited 503 deny. */
function fail(guard: Guard, req: Request, res: Response, error: unknown): void {
  try {
    const decision = adapterDecision(guard, 'internal_error', {
      method: req.method,
      path: req.path,
      base: (req as GuardedRequest)[STATE]?.decision,
      detail: { fault: error instanceof Error ? error.message : String(error) },
    });
    writeDeny(res, decision);
  } catch {
    res.destroy();
  }
}
