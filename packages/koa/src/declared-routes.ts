/**
 * Deny-by-default support for @koa/router: find the layers a router will dispatch a request to, and
 * whether a declaration (`aap.require`) guards the route, BEFORE any of them runs. Uses the router's
 * own `match()` with the path and host rules of its dispatch middleware (@koa/router 12–15).
 */

/** Marks middleware returned by `aap.require()`. */
export const DECLARATION = Symbol.for('aap-guard.koa.declaration');

type Marked = ((...args: never[]) => unknown) & { readonly [DECLARATION]?: true; readonly param?: string };

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

/** `undeclared` = a route's middleware would run without a declaration; `declared`; `none` = no route matches. */
export type Resolution = 'declared' | 'undeclared' | 'none';

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
 * if (resolveDeclaration(router, ctx) === 'undeclared') refuse();
 */
export function resolveDeclaration(router: RouterLike, ctx: RoutingInput): Resolution {
  if (router.matchHost && !router.matchHost(ctx.host)) return 'none';
  const path = router.opts?.routerPath || ctx.newRouterPath || ctx.path || ctx.routerPath || '';
  const matched = router.match(path, ctx.method);
  if (!matched.route) return 'none';
  let declared = false;
  for (const layer of dispatched(router, matched.pathAndMethod)) {
    const first = layer.stack.find((fn) => fn.param === undefined); // router.param() middleware runs first
    if (layer.methods.length === 0) {
      if (first?.[DECLARATION]) declared = true; // `router.use(aap.require(...))` declares what follows
      continue;
    }
    return declared || first?.[DECLARATION] ? 'declared' : 'undeclared';
  }
  return 'undeclared'; // a route matched but no route layer is dispatched: cannot tell, fail closed
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
