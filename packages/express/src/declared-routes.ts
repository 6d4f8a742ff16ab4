/**
 * Deny-by-default support: find the route layer Express will dispatch a request to, and whether a
 * declaration (`aap.require`) guards it, BEFORE any handler runs. Works on Express 4
 * (`app._router`, `route._handles_method`) and Express 5 (`app.router`, `route._handlesMethod`).
 * Results are cached per app and method + path in a bounded map (oldest first out), reset whenever a route or router is
 * added anywhere in the app (nested routers included), so a cached answer never outlives its routes.
 */

/** Marks handlers returned by `aap.require()`: the declared action and the guard that checks it. */
export const DECLARATION = Symbol.for('aap-guard.express.declaration');

/** What a declaration marker holds. */
export interface Declared {
  readonly action: string;
  /** The guard whose options check the route (two `aapGuard()` sharing one guard are one owner). */
  readonly guard: object;
}
/** Marks handlers returned by `aap.public()`: the route is opted out of the guard. */
export const PUBLIC = Symbol.for('aap-guard.express.public');

interface Layer {
  readonly handle: ((...args: unknown[]) => unknown) & { readonly stack?: Layer[]; readonly [DECLARATION]?: Declared; readonly [PUBLIC]?: true };
  readonly route?: Route | undefined;
  readonly method?: string | undefined;
  readonly path?: string | undefined;
  /** Express 5 (router 2): the mount path as given. */
  readonly rawPath?: string | undefined;
  /** Express 4: the mount path, compiled. */
  readonly regexp?: RegExp | undefined;
  /** Express 4: boolean (and sets `path`); router 2 (Express 5): `{ path }` or false. */
  match(path: string): boolean | { readonly path?: string };
}

interface Route {
  readonly path: unknown;
  readonly stack: Layer[];
  readonly methods: Record<string, boolean | undefined>;
}

/**
 * `declared`: a declaration of this guard runs before the route's handler; `foreign`: one of ANOTHER guard
 * does (that guard checks the route with its own options; this one stays out of it); `public`: the route
 * opted out (`aap.public()`); `undeclared`: a route handler would run without either; `none`: no route
 * matches (404).
 */
export type Resolution = 'declared' | 'foreign' | 'public' | 'undeclared' | 'none';

/** What a mounted `app.use(prefix, aap.require(…) | aap.public())` says of everything below it. */
type Above = { readonly declared: Declared } | 'public' | undefined;

/** Resolves whether the route a request will reach in `app` is declared. */
export type Resolver = (app: unknown, method: string, path: string) => Resolution;

/**
 * Create a resolver with its own bounded cache (per method + path, oldest entry first out). The app is passed on each call
 * (a sub-app that mounts `aap` again has its own router).
 */
export function declarationResolver(guard: object, maxEntries = 1000): Resolver {
  // One cache per app: the same `aap` may be mounted in an app and in its sub-apps.
  const perApp = new WeakMap<object, { cache: Map<string, Resolution>; shape: Shape }>();
  return (app, method, path) => {
    const stack = routerStack(app);
    if (!stack) return 'undeclared'; // an app we cannot inspect: fail closed
    let entry = perApp.get(app as object); // routerStack() found a stack, so `app` is an object
    if (!entry || entry.shape.stacks[0] !== stack || changed(entry.shape)) {
      entry = { cache: new Map(), shape: shapeOf(stack) }; // routes were added somewhere: start over
      perApp.set(app as object, entry);
    }
    // GET, nearly every request: the path alone (no string built per request; a GET key starts with `/`,
    // any other has a method and a space in front).
    const key = method === 'GET' && path.startsWith('/') ? path : `${method} ${path}`;
    const hit = entry.cache.get(key);
    // Not moved to the end on a hit (a delete and a set on every request): the oldest entry is the first to
    // go, and a route still in use is resolved again, rightly, at its next request.
    if (hit !== undefined) return hit;
    const found = resolve(stack, method.toLowerCase(), path, undefined, guard);
    entry.cache.set(key, found);
    if (entry.cache.size > maxEntries) entry.cache.delete(entry.cache.keys().next().value as string);
    return found;
  };
}

/**
 * Every layer stack of the app's router tree (nested routers and each route's handlers included), with
 * its length when the cache was filled. Express only ever appends layers, so a longer stack is how "a
 * route was added" shows, wherever it was added. Checking is a flat loop over the stacks, once per
 * request — no walk of the tree, no path matching — and it keeps the cache honest.
 */
interface Shape {
  readonly stacks: readonly (readonly Layer[])[];
  readonly lengths: readonly number[];
}

function shapeOf(stack: readonly Layer[], into: { stacks: (readonly Layer[])[]; lengths: number[] } = { stacks: [], lengths: [] }): Shape {
  into.stacks.push(stack);
  into.lengths.push(stack.length);
  for (const layer of stack) {
    const inner = layer.route?.stack ?? layer.handle?.stack;
    if (Array.isArray(inner)) shapeOf(inner, into);
  }
  return into;
}

function changed({ stacks, lengths }: Shape): boolean {
  for (let i = 0; i < stacks.length; i += 1) if (stacks[i]!.length !== lengths[i]) return true;
  return false;
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

function resolve(stack: readonly Layer[], method: string, path: string, above: Above, guard: object): Resolution {
  let marker = above;
  const owned = (declared: Declared): Resolution => (declared.guard === guard ? 'declared' : 'foreign');
  for (const layer of stack) {
    const matched = safeMatch(layer, path);
    if (matched === undefined) continue;
    if (layer.route) {
      if (!handlesMethod(layer.route, method)) continue;
      const first = firstHandler(layer.route, method);
      if (typeof marker === 'object') return owned(marker.declared); // a declaration runs before the handler
      if (first?.[DECLARATION]) return owned(first[DECLARATION]);
      return first?.[PUBLIC] || marker === 'public' ? 'public' : 'undeclared';
    }
    const handle = layer.handle;
    if (handle?.[DECLARATION]) {
      marker ??= { declared: handle[DECLARATION] }; // it runs for everything below it; the first one mounted decides
      if (marker === 'public') marker = { declared: handle[DECLARATION] };
      continue;
    }
    if (handle?.[PUBLIC]) {
      marker ??= 'public';
      continue;
    }
    if (Array.isArray(handle?.stack)) {
      const inner = resolve(handle.stack, method, trim(path, matched), marker, guard);
      if (inner !== 'none') return inner;
      continue;
    }
    // A mounted sub-application is opaque (Express wraps it in `mounted_app`): fail closed.
    if (handle?.name === 'mounted_app' && marker === undefined) return 'undeclared';
  }
  return 'none';
}

/** One route as the startup report lists it. */
export interface RouteReport {
  readonly method: string;
  /** The route's path with its routers' mount paths (Express 4 mount paths with parameters show as patterns). */
  readonly path: string;
  readonly status: 'declared' | 'public' | 'undeclared';
  /** The declared action, when the route's first handler declares it. */
  readonly action?: string | undefined;
}

/**
 * Every route of an app and what the guard does with it — for a startup check or log line.
 *
 * @example
 * for (const route of listRoutes(app)) console.log(route.method, route.path, route.status);
 */
export function listRoutes(app: unknown): RouteReport[] {
  const stack = routerStack(app);
  return stack ? walk(stack, '', undefined) : [];
}

function walk(stack: readonly Layer[], prefix: string, above: Above): RouteReport[] {
  const out: RouteReport[] = [];
  let marker = above;
  for (const layer of stack) {
    const handle = layer.handle;
    if (layer.route) {
      for (const method of Object.keys(layer.route.methods).filter((m) => layer.route!.methods[m])) {
        const first = firstHandler(layer.route, method);
        const declared = typeof marker === 'object' ? marker.declared : first?.[DECLARATION];
        const status = declared ? 'declared' : first?.[PUBLIC] || marker === 'public' ? 'public' : 'undeclared';
        out.push({ method: method === '_all' ? 'ALL' : method.toUpperCase(), path: join(prefix, layer.route.path), status, action: declared?.action });
      }
    } else if (handle?.[DECLARATION]) marker = typeof marker === 'object' ? marker : { declared: handle[DECLARATION] };
    else if (handle?.[PUBLIC]) marker ??= 'public';
    else if (Array.isArray(handle?.stack)) out.push(...walk(handle.stack, join(prefix, mountPath(layer)), marker));
  }
  return out;
}

function mountPath(layer: Layer): string {
  if (typeof layer.rawPath === 'string') return layer.rawPath;
  const source = layer.regexp?.source;
  if (!source || source === '^\\/?(?=\\/|$)') return '';
  const plain = /^\^(.*?)\\\/\?\(\?=\\\/\|\$\)$/.exec(source)?.[1];
  return plain !== undefined && !/[()[\]*+?|^$]/.test(plain.replace(/\\\//g, '')) ? plain.replace(/\\\//g, '/') : `/${source}`;
}

const join = (prefix: string, path: unknown): string => `${prefix}${typeof path === 'string' ? path : String(path)}`.replace(/\/{2,}/g, '/') || '/';

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

/** The first handler of the route that runs for this method (a declaration or an opt-out must be it). */
function firstHandler(route: Route, method: string): Layer['handle'] | undefined {
  // Express dispatches HEAD to GET handlers when no HEAD handler exists.
  const m = method === 'head' && !route.methods.head ? 'get' : method;
  return route.stack.find((layer) => !layer.method || layer.method === m || layer.method === '_all')?.handle;
}

function trim(path: string, prefix: string): string {
  const rest = path.slice(prefix.length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}
