/**
 * Deny-by-default support: find the route layer Express will dispatch a request to, and whether a
 * declaration (`aap.require`) guards it, BEFORE any handler runs. Works on Express 4
 * (`app._router`, `route._handles_method`) and Express 5 (`app.router`, `route._handlesMethod`).
 * Results are cached per app and method + path in a bounded LRU, reset whenever a route or router is
 * added anywhere in the app (nested routers included), so a cached answer never outlives its routes.
 */

/** Marks handlers returned by `aap.require()`. */
export const DECLARATION = Symbol.for('aap-guard.express.declaration');

interface Layer {
  readonly handle: ((...args: unknown[]) => unknown) & { readonly stack?: Layer[]; readonly [DECLARATION]?: true };
  readonly route?: Route | undefined;
  readonly method?: string | undefined;
  readonly path?: string | undefined;
  /** Express 4: boolean (and sets `path`); router 2 (Express 5): `{ path }` or false. */
  match(path: string): boolean | { readonly path?: string };
}

interface Route {
  readonly stack: Layer[];
  readonly methods: Record<string, boolean | undefined>;
}

/** `undeclared` = a route handler would run without a declaration; `declared`; `none` = no route matches (404). */
export type Resolution = 'declared' | 'undeclared' | 'none';

/** Resolves whether the route a request will reach in `app` is declared. */
export type Resolver = (app: unknown, method: string, path: string) => Resolution;

/**
 * Create a resolver with its own bounded LRU (per method + path). The app is passed on each call
 * (a sub-app that mounts `aap` again has its own router).
 *
 * @example
 * const resolve = declarationResolver(1000);
 * if (resolve(req.app, req.method, req.path) === 'undeclared') refuse();
 */
export function declarationResolver(maxEntries = 1000): Resolver {
  // One cache per app: the same `aap` may be mounted in an app and in its sub-apps.
  const perApp = new WeakMap<object, { cache: Map<string, Resolution>; layers: number }>();
  return (app, method, path) => {
    const stack = routerStack(app);
    if (!stack) return 'undeclared'; // an app we cannot inspect: fail closed
    const layers = countLayers(stack);
    let entry = perApp.get(app as object); // routerStack() found a stack, so `app` is an object
    if (!entry || entry.layers !== layers) {
      entry = { cache: new Map(), layers }; // routes were added somewhere: start over
      perApp.set(app as object, entry);
    }
    const key = `${method} ${path}`;
    const hit = entry.cache.get(key);
    if (hit !== undefined) {
      entry.cache.delete(key); // LRU: most recently used last
      entry.cache.set(key, hit);
      return hit;
    }
    const found = resolve(stack, method.toLowerCase(), path, false);
    entry.cache.set(key, found);
    if (entry.cache.size > maxEntries) entry.cache.delete(entry.cache.keys().next().value as string);
    return found;
  };
}

/**
 * Every layer of the app's router tree, nested routers and route handlers included. Express only ever
 * appends layers, so a changed count is how "a route was added" shows, wherever it was added. A walk
 * without path matching: much cheaper than resolving, and it keeps the cache honest.
 */
function countLayers(stack: readonly Layer[]): number {
  let count = stack.length;
  for (const layer of stack) {
    const inner = layer.route?.stack ?? layer.handle?.stack;
    if (Array.isArray(inner)) count += countLayers(inner);
  }
  return count;
}

function routerStack(app: unknown): Layer[] | undefined {
  const a = app as { _router?: { stack?: Layer[] }; router?: { stack?: Layer[] } };
  // Express 4 keeps the router in `_router` (and `app.router` throws there); Express 5 in `router`.
  try {
    const router = a._router ?? a.router;
    return Array.isArray(router?.stack) ? router.stack : undefined;
  } catch {
    return undefined;
  }
}

function resolve(stack: readonly Layer[], method: string, path: string, declaredAbove: boolean): Resolution {
  let declared = declaredAbove;
  for (const layer of stack) {
    const matched = safeMatch(layer, path);
    if (matched === undefined) continue;
    if (layer.route) {
      if (!handlesMethod(layer.route, method)) continue;
      return declared || firstHandlerDeclared(layer.route, method) ? 'declared' : 'undeclared';
    }
    const handle = layer.handle;
    if (handle?.[DECLARATION]) {
      declared = true; // `app.use(prefix, aap.require(...))` declares everything below it
      continue;
    }
    if (Array.isArray(handle?.stack)) {
      const inner = resolve(handle.stack, method, trim(path, matched), declared);
      if (inner !== 'none') return inner;
      continue;
    }
    // A mounted sub-application is opaque (Express wraps it in `mounted_app`): fail closed.
    if (handle?.name === 'mounted_app' && !declared) return 'undeclared';
  }
  return 'none';
}

/** The matched path prefix, or undefined when the layer does not match. */
function safeMatch(layer: Layer, path: string): string | undefined {
  try {
    const result = typeof layer.match === 'function' ? layer.match(path) : false;
    if (!result) return undefined;
    return typeof result === 'object' ? (result.path ?? '') : (layer.path ?? '');
  } catch {
    return undefined; // a malformed path: Express answers it with an error of its own; no handler runs
  }
}

function handlesMethod(route: Route, method: string): boolean {
  const r = route as Route & { _handlesMethod?: (m: string) => boolean; _handles_method?: (m: string) => boolean };
  if (typeof r._handlesMethod === 'function') return r._handlesMethod(method);
  if (typeof r._handles_method === 'function') return r._handles_method(method);
  return Boolean(route.methods._all || route.methods[method]);
}

/** The first handler of the route that runs for this method must be a declaration. */
function firstHandlerDeclared(route: Route, method: string): boolean {
  // Express dispatches HEAD to GET handlers when no HEAD handler exists.
  const m = method === 'head' && !route.methods.head ? 'get' : method;
  const first = route.stack.find((layer) => !layer.method || layer.method === m || layer.method === '_all');
  return Boolean(first?.handle?.[DECLARATION]);
}

function trim(path: string, prefix: string): string {
  const rest = path.slice(prefix.length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}
