/**
 * Deny-by-default support for @koa/router: find the layers a router will dispatch a request to, and
 * whether a declaration (`aap.require`) guards the route, BEFORE any of them runs. Uses the router's
 * own `match()` with the path and host rules of its dispatch middleware (@koa/router 12–15).
 */

/** Marks middleware returned by `aap.require()`: the declared action and the guard that checks it. */
export const DECLARATION = Symbol.for('aap-guard.koa.declaration');

/** What a declaration marker holds. */
export interface Declared {
  readonly action: string;
  /** The guard whose options check the route. */
  readonly guard: object;
}
/** Marks middleware returned by `aap.public()`: the route is opted out of the guard. */
export const PUBLIC = Symbol.for('aap-guard.koa.public');

type Marked = ((...args: never[]) => unknown) & { readonly [DECLARATION]?: Declared; readonly [PUBLIC]?: true; readonly param?: string };

interface LayerLike {
  readonly methods: readonly string[];
  readonly stack: readonly Marked[];
  readonly paramNames?: readonly unknown[];
}

/** The parts of a @koa/router `Router` this module reads. */
export interface RouterLike {
  readonly opts?: { readonly routerPath?: string; readonly exclusive?: boolean | 'specificity' } | undefined;
  readonly exclusive?: boolean | undefined;
  match(path: string, method: string): { readonly pathAndMethod: readonly LayerLike[]; readonly route: boolean };
  matchHost?(host: string): boolean;
  routes(): (ctx: never, next: () => Promise<unknown>) => unknown;
}

/**
 * `declared`: a declaration of this guard runs before the route's handler; `foreign`: one of ANOTHER guard
 * does (that guard checks it with its own options); `public`: opted out (`aap.public()`); `undeclared`: the
 * route's middleware would run without either; `none`: no route matches.
 */
export type Resolution = 'declared' | 'foreign' | 'public' | 'undeclared' | 'none';

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
 *
 * @example
 * if (resolveDeclaration(router, ctx, guard) === 'undeclared') ctx.throw(500, 'route not declared');
 */
export function resolveDeclaration(router: RouterLike, ctx: RoutingInput, guard: object): Resolution {
  if (router.matchHost && !router.matchHost(ctx.host)) return 'none';
  const path = router.opts?.routerPath || ctx.newRouterPath || ctx.path || ctx.routerPath || '';
  const matched = router.match(path, ctx.method);
  if (!matched.route) return 'none';
  let above: Declared | 'public' | undefined;
  const owned = (declared: Declared): Resolution => (declared.guard === guard ? 'declared' : 'foreign');
  for (const layer of dispatched(router, matched.pathAndMethod)) {
    const first = layer.stack.find((fn) => fn.param === undefined); // router.param() middleware runs first
    if (layer.methods.length === 0) {
      const declared = first?.[DECLARATION];
      if (declared && typeof above !== 'object') above = declared; // `router.use(aap.require(...))` declares what follows
      else if (first?.[PUBLIC]) above ??= 'public';
      continue;
    }
    if (typeof above === 'object') return owned(above);
    if (first?.[DECLARATION]) return owned(first[DECLARATION]);
    return first?.[PUBLIC] || above === 'public' ? 'public' : 'undeclared';
  }
  return 'undeclared'; // a route matched but no route layer is dispatched: cannot tell, fail closed
}

/** The dispatch function `router.routes()` returns: @koa/router marks it with its router. */
type Dispatch = ((...args: never[]) => unknown) & { readonly router?: RouterLike };

/** The routers an app mounts after `self` (cached per app; refreshed when its middleware list grows). */
const mounted = new WeakMap<object, { readonly length: number; readonly routers: readonly RouterLike[] }>();

/**
 * What the first router mounted after `self` that matches the request says about it: the app's own
 * `app.use(router.routes())` mounts are found through `app.middleware`, so no special mount is needed.
 *
 * @example
 * const resolution = resolveApp(ctx.app, middleware, ctx, guard); // 'declared' | 'public' | 'undeclared' | 'none'
 */
export function resolveApp(app: { readonly middleware?: readonly unknown[] }, self: unknown, ctx: RoutingInput, guard: object): Resolution {
  const list = Array.isArray(app.middleware) ? app.middleware : [];
  let entry = mounted.get(app);
  if (!entry || entry.length !== list.length) {
    const after = list.slice(list.indexOf(self) + 1) as Dispatch[];
    entry = { length: list.length, routers: after.map((fn) => fn?.router).filter((router): router is RouterLike => !!router && typeof router.match === 'function') };
    mounted.set(app, entry);
  }
  for (const router of entry.routers) {
    const resolution = resolveDeclaration(router, ctx, guard);
    if (resolution !== 'none') return resolution;
  }
  return 'none';
}

/** The layers the router actually runs (its `exclusive` modes run only one). */
function dispatched(router: RouterLike, layers: readonly LayerLike[]): readonly LayerLike[] {
  if (!router.exclusive) return layers;
  if (router.opts?.exclusive === 'specificity') {
    let chosen: LayerLike | undefined;
    for (const layer of layers) if (!chosen || (layer.paramNames?.length ?? 0) < (chosen.paramNames?.length ?? 0)) chosen = layer;
    return chosen ? [chosen] : [];
  }
  return layers.slice(-1);
}

/** One route as the startup report lists it. */
export interface RouteReport {
  readonly method: string;
  readonly path: string;
  readonly status: 'declared' | 'public' | 'undeclared';
  readonly action?: string | undefined;
}

interface ListedLayer extends LayerLike {
  readonly path?: unknown;
}

/**
 * Every route of the routers an app mounts (`app.use(router.routes())`) and what the guard does with it.
 *
 * @example
 * for (const route of listRoutes(app)) console.log(route.method, route.path, route.status);
 */
export function listRoutes(app: { readonly middleware?: readonly unknown[] }): RouteReport[] {
  const out: RouteReport[] = [];
  for (const fn of (app.middleware ?? []) as Dispatch[]) {
    const stack = (fn?.router as { stack?: readonly ListedLayer[] } | undefined)?.stack ?? [];
    let above: Declared | 'public' | undefined;
    for (const layer of stack) {
      const first = layer.stack.find((handler) => handler.param === undefined);
      if (layer.methods.length === 0) {
        if (first?.[DECLARATION] && typeof above !== 'object') above = first[DECLARATION];
        else if (first?.[PUBLIC]) above ??= 'public';
        continue;
      }
      const declared = typeof above === 'object' ? above : first?.[DECLARATION];
      const status = declared ? 'declared' : first?.[PUBLIC] || above === 'public' ? 'public' : 'undeclared';
      for (const method of layer.methods) out.push({ method, path: String(layer.path), status, action: declared?.action });
    }
  }
  return out;
}
