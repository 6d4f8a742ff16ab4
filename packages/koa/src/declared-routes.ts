/**
 * Deny-by-default support for @koa/router: find the layers a router will dispatch a request to, and
 * whether a declaration (`aap.require`) guards the route, BEFORE any of them runs. Uses the router's
 * own `match()` with the path and host rules of its dispatch middleware (@koa/router 12–15).
 */

import type { CompiledRoute, Guard } from '@aap-guard/core';
import { routeAdmission } from '@aap-guard/core/node';
import type { OpenApiDeclared, OpenApiRoutes } from '@aap-guard/core/openapi';

/** Marks middleware returned by `aap.require()`: the declared action and the guard that checks it. */
export const DECLARATION = Symbol.for('aap-guard.koa.declaration');

/** What a declaration marker holds. */
export interface Declared {
  readonly action: string;
  /** The guard whose options check the route. */
  readonly guard: Guard;
  /** The declaration, compiled. */
  readonly route: CompiledRoute;
}
/** Marks middleware returned by `aap.public()`: the route is opted out of the guard. */
export const PUBLIC = Symbol.for('aap-guard.koa.public');

type Marked = ((...args: never[]) => unknown) & {
  readonly [DECLARATION]?: Declared;
  readonly [PUBLIC]?: true;
  readonly param?: string;
};

interface LayerLike {
  /** The route's path pattern, the router's prefix included. */
  readonly path?: unknown;
  readonly methods: readonly string[];
  readonly stack: readonly Marked[];
  readonly paramNames?: readonly unknown[];
}

/** The parts of a @koa/router `Router` this module reads. */
export interface RouterLike {
  /** The router's layers (@koa/router only ever appends to it); read to keep the match cache honest. */
  readonly stack?: readonly LayerLike[] | undefined;
  readonly opts?: { readonly routerPath?: string; readonly exclusive?: boolean | 'specificity' } | undefined;
  readonly exclusive?: boolean | undefined;
  match(path: string, method: string): { readonly pathAndMethod: readonly LayerLike[]; readonly route: boolean };
  matchHost?(host: string): boolean;
  routes(): (ctx: never, next: () => Promise<unknown>) => unknown;
}

/**
 * `declared`: a declaration of this guard runs before the route's handler; `foreign`: one of ANOTHER guard
 * does (that guard checks it with its own options); `public`: opted out (`aap.public()`); `undeclared`: the
 * route's middleware would run without either; `none`: no route matches; an object: the `openApi` document
 * declares the route (no declaration of the app's own does) — the guard's middleware authorizes it.
 */
export type Resolution = 'declared' | 'foreign' | 'public' | 'undeclared' | 'none' | Documented;

/** The `openApi` option, read: each app route's declaration in the document, compiled once. */
export type Document = OpenApiRoutes<CompiledRoute>;

/**
 * A request on a route the `openApi` document declares: the declaration, and the path the router matched (for its
 * parameters).
 */
export interface Documented {
  readonly declared: OpenApiDeclared<CompiledRoute>;
  readonly path: string;
}

/** What of the Koa context the resolution reads (the same fields the router's dispatch reads). */
export interface RoutingInput {
  readonly method: string;
  readonly path: string;
  readonly host: string;
  readonly newRouterPath?: string | undefined;
  readonly routerPath?: string | undefined;
}

/**
 * Resolve whether the route `router` will dispatch this request to is declared.
 */
export function resolveDeclaration(
  router: RouterLike,
  ctx: RoutingInput,
  guard: object,
  document?: Document,
): Resolution {
  const path = router.opts?.routerPath || ctx.newRouterPath || ctx.path || ctx.routerPath || '';
  const layers = matchedLayers(router, ctx.method, path, ctx.host);
  if (!layers) return 'none';
  let above: Declared | 'public' | undefined;
  const owned = (declared: Declared): Resolution => (declared.guard === guard ? 'declared' : 'foreign');
  for (const layer of layers) {
    const first = layer.stack.find((fn) => fn.param === undefined); // router.param() middleware runs first
    if (layer.methods.length === 0) {
      const declared = first?.[DECLARATION];
      if (declared && typeof above !== 'object')
        above = declared; // `router.use(aap.require(...))` declares what follows
      else if (first?.[PUBLIC]) above ??= 'public';
      continue;
    }
    if (typeof above === 'object') return owned(above);
    if (first?.[DECLARATION]) return owned(first[DECLARATION]);
    if (first?.[PUBLIC] || above === 'public') return 'public';
    const documented = typeof layer.path === 'string' ? document?.declared(ctx.method, layer.path) : undefined;
    if (documented === false) return 'public';
    return documented ? { declared: documented, path } : 'undeclared';
  }
  return 'undeclared'; // a route matched but no route layer is dispatched: cannot tell, fail closed
}

/**
 * The layers `router` dispatches for a method, path and host, or `undefined` when no route matches —
 * cached per router (bounded), since the router's own `match()` tests every layer's pattern: 16 µs a
 * request at 300 routes. @koa/router only ever appends layers (and `router.param()` inserts into a
 * layer's stack), so the cache starts over whenever the router's stack or a layer's stack grows.
 */
function matchedLayers(
  router: RouterLike,
  method: string,
  path: string,
  host: string,
): readonly LayerLike[] | undefined {
  const stack = router.stack;
  if (!Array.isArray(stack)) return match(router, method, path, host); // not @koa/router's shape: no cache
  let entry = matches.get(router);
  if (!entry || changed(entry.shape, stack)) {
    entry = { shape: shapeOf(stack), cache: new Map() };
    matches.set(router, entry);
  }
  const key = `${method} ${host} ${path}`;
  const hit = entry.cache.get(key);
  if (hit !== undefined) return hit === NO_ROUTE ? undefined : hit;
  const found = match(router, method, path, host);
  entry.cache.set(key, found ?? NO_ROUTE);
  if (entry.cache.size > MAX_MATCHES) entry.cache.delete(entry.cache.keys().next().value as string);
  return found;
}

function match(router: RouterLike, method: string, path: string, host: string): readonly LayerLike[] | undefined {
  if (router.matchHost && !router.matchHost(host)) return undefined;
  const matched = router.match(path, method);
  return matched.route ? dispatched(router, matched.pathAndMethod) : undefined;
}

const NO_ROUTE: readonly LayerLike[] = Object.freeze([]);
const MAX_MATCHES = 1000;
const matches = new WeakMap<RouterLike, { readonly shape: Shape; readonly cache: Map<string, readonly LayerLike[]> }>();

/** A router's stack and each layer's own stack, with their lengths when the cache was filled. */
interface Shape {
  readonly stack: readonly LayerLike[];
  readonly lengths: readonly number[];
}

function shapeOf(stack: readonly LayerLike[]): Shape {
  return { stack, lengths: [stack.length, ...stack.map((layer) => layer.stack.length)] };
}

function changed({ stack, lengths }: Shape, now: readonly LayerLike[]): boolean {
  if (now !== stack || now.length !== lengths[0]) return true;
  for (let i = 0; i < now.length; i += 1) if (now[i]!.stack.length !== lengths[i + 1]) return true;
  return false;
}

/** The layers the router actually runs (its `exclusive` modes run only one). */
function dispatched(router: RouterLike, layers: readonly LayerLike[]): readonly LayerLike[] {
  if (!router.exclusive) return layers;
  if (router.opts?.exclusive === 'specificity') {
    let chosen: LayerLike | undefined;
    for (const layer of layers)
      if (!chosen || (layer.paramNames?.length ?? 0) < (chosen.paramNames?.length ?? 0)) chosen = layer;
    return chosen ? [chosen] : [];
  }
  return layers.slice(-1);
}

/** The dispatch function `router.routes()` returns: @koa/router marks it with its router. */
export type Dispatch = ((...args: never[]) => unknown) & { readonly router?: RouterLike };

/** One route as the startup report lists it. */
export interface RouteReport {
  readonly method: string;
  readonly path: string;
  /** `not_routed`: the `openApi` document lists the operation, the app has no such route. */
  readonly status: 'declared' | 'public' | 'undeclared' | 'not_routed';
  readonly action?: string | undefined;
  /**
   * Declared and undeclared routes: what the guard does with a request WITHOUT an AAP credential (or with
   * an app credential, `appCredentials`) — `refused`, or `passed` to the app's own authentication
   * (`authRequired: false`, and a declaration that does not admit agents only).
   */
  readonly others?: 'refused' | 'passed' | undefined;
  /** Where others are passed to the app, one line that says so: `agents checked; others passed to the app`. */
  readonly note?: string | undefined;
  /**
   * With `openApi`: where the document and the app disagree — an app route the document does not list, or an operation
   * no app route serves.
   */
  readonly openApi?: 'not_in_document' | 'no_app_route' | undefined;
}

interface ListedLayer extends LayerLike {
  /** @koa/router: whether the layer's pattern matches a path. */
  match?(path: string): boolean;
}

/**
 * Every route of the routers an app mounts (`app.use(router.routes())`) and what the guard does with it.
 * A `router.use('/users', aap.require(…))` (or `aap.public()`) covers the routes after it that its path
 * matches, and no other — as a request meets it.
 *
 * @example
 * for (const route of listRoutes(app, aap.guard)) console.log(route.method, route.path, route.status, route.note ??
 * '');
 */
export function listRoutes(
  app: { readonly middleware?: readonly unknown[] },
  guard: Guard,
  undeclared?: 'allow' | 'deny',
  document?: Document,
): RouteReport[] {
  const out: RouteReport[] = [];
  for (const fn of (app.middleware ?? []) as Dispatch[]) {
    const stack = (fn?.router as { stack?: readonly ListedLayer[] } | undefined)?.stack ?? [];
    const mounted: { readonly layer: ListedLayer; readonly declared: Declared | undefined }[] = [];
    for (const layer of stack) {
      const first = layer.stack.find((handler) => handler.param === undefined);
      if (layer.methods.length === 0) {
        if (first?.[DECLARATION]) mounted.push({ layer, declared: first[DECLARATION] });
        else if (first?.[PUBLIC]) mounted.push({ layer, declared: undefined });
        continue;
      }
      const path = String(layer.path);
      const above = covering(mounted, path);
      const declared = typeof above === 'object' ? above : first?.[DECLARATION];
      const status = declared ? 'declared' : first?.[PUBLIC] || above === 'public' ? 'public' : 'undeclared';
      for (const method of layer.methods) {
        // A route no declaration of the app's own covers: what the `openApi` document says of it.
        const documented = status === 'undeclared' ? document?.declared(method, path) : undefined;
        if (status === 'public' || documented === false)
          out.push({ method, path, status: 'public', action: undefined });
        else if (documented)
          out.push({
            method,
            path,
            status: 'declared',
            action: documented.compiled.action,
            ...routeAdmission(guard, 'declared', documented.compiled, method, undeclared),
          });
        else
          out.push({
            method,
            path,
            status,
            action: declared?.action,
            ...routeAdmission(declared?.guard ?? guard, status, declared?.route, method, undeclared),
          });
      }
    }
  }
  return document ? document.report(out, (route) => route.method !== 'HEAD') : out;
}

/** The first mounted declaration whose path matches the route's, else `public` if a mounted opt-out's does. */
function covering(
  mounted: readonly { readonly layer: ListedLayer; readonly declared: Declared | undefined }[],
  path: string,
): Declared | 'public' | undefined {
  let found: 'public' | undefined;
  for (const { layer, declared } of mounted) {
    if (typeof layer.match === 'function' && !layer.match(path)) continue;
    if (declared) return declared;
    found = 'public';
  }
  return found;
}
