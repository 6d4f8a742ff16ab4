import type { CompiledRoute, Guard } from '@aap-guard/core';
import { routeAdmission } from '@aap-guard/core/node';
import type { OpenApiDeclared, OpenApiRoutes } from '@aap-guard/core/openapi';

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
  readonly guard: Guard;
  /** The declaration, compiled. */
  readonly route: CompiledRoute;
}
/** Marks handlers returned by `aap.public()`: the route is opted out of the guard. */
export const PUBLIC = Symbol.for('aap-guard.express.public');

interface Layer {
  readonly handle: ((...args: unknown[]) => unknown) & {
    readonly stack?: Layer[];
    readonly [DECLARATION]?: Declared;
    readonly [PUBLIC]?: true;
  };
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
 * opted out (`aap.public()`, or `x-aap-action: false` in the `openApi` document); `undeclared`: a route
 * handler would run without either; `none`: no route matches (404); an object: the `openApi` document
 * declares the route (no declaration of the app's own does) — the app-wide middleware authorizes it.
 */
export type Resolution = 'declared' | 'foreign' | 'public' | 'undeclared' | 'none' | Documented;

/** A route the `openApi` document declares: its operation and the declaration, compiled once. */
export type Documented = OpenApiDeclared<CompiledRoute>;

/** The `openApi` option, read: each app route's declaration in the document. */
export type Document = OpenApiRoutes<CompiledRoute>;

/** What a mounted `app.use(prefix, aap.require(…) | aap.public())` says of everything below it. */
type Above = { readonly declared: Declared } | 'public' | undefined;

/** Resolves whether the route a request will reach in `app` is declared. */
export type Resolver = (app: unknown, method: string, path: string) => Resolution;

/**
 * Create a resolver with its own bounded cache (per method + path, oldest entry first out). The app is passed on each
 * call
 * (a sub-app that mounts `aap` again has its own router).
 */
export function declarationResolver(guard: object, maxEntries = 1000, document?: Document): Resolver {
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
    const found = resolve(stack, method.toLowerCase(), path, undefined, { guard, document, prefix: '' });
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

function shapeOf(
  stack: readonly Layer[],
  into: { stacks: (readonly Layer[])[]; lengths: number[] } = { stacks: [], lengths: [] },
): Shape {
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

/** What `resolve` carries down the router tree: the guard, the `openApi` document, the mount paths above the stack. */
interface Walk {
  readonly guard: object;
  readonly document: Document | undefined;
  readonly prefix: string;
}

function resolve(stack: readonly Layer[], method: string, path: string, above: Above, walk: Walk): Resolution {
  const { guard } = walk;
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
      if (first?.[PUBLIC] || marker === 'public') return 'public';
      return documented(walk.document, method, walk.prefix, layer.route.path) ?? 'undeclared';
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
      const below = walk.document
        ? { guard, document: walk.document, prefix: join(walk.prefix, mountPath(layer)) }
        : walk;
      const inner = resolve(handle.stack, method, trim(path, matched), marker, below);
      if (inner !== 'none') return inner;
      continue;
    }
    // A mounted sub-application is opaque (Express wraps it in `mounted_app`): fail closed.
    if (handle?.name === 'mounted_app' && marker === undefined) return 'undeclared';
    // Plain middleware that may answer the request itself (`app.use('/static', aap.public(), express.static(dir))`):
    // a declaration or opt-out mounted before it, on a path it matches, speaks for it.
    if (marker === 'public') return 'public';
    if (typeof marker === 'object') return owned(marker.declared);
  }
  return 'none';
}

/**
 * What the `openApi` document says of a route no declaration of the app's own covers: `public` for
 * `x-aap-action: false`, its declaration, or undefined (no document, a route path that is a pattern, or
 * no operation for it). Its full path is the mount paths above it and its own.
 */
function documented(
  document: Document | undefined,
  method: string,
  prefix: string,
  routePath: unknown,
): Documented | 'public' | undefined {
  if (!document || typeof routePath !== 'string' || method === '_all') return undefined;
  const found = document.declared(method, join(prefix, routePath));
  return found === false ? 'public' : found;
}

/** One route as the startup report lists it. */
export interface RouteReport {
  readonly method: string;
  /** The route's path with its routers' mount paths (Express 4 mount paths with parameters show as patterns). */
  readonly path: string;
  /** `not_routed`: the `openApi` document lists the operation, the app has no such route. */
  readonly status: 'declared' | 'public' | 'undeclared' | 'not_routed';
  /** The declared action, when the route's first handler declares it. */
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

/**
 * Every route of an app and what the guard does with it — for a startup check or log line.
 *
 * @example
 * for (const route of listRoutes(app, aap.guard)) console.log(route.method, route.path, route.status, route.note ??
 * '');
 */
export function listRoutes(
  app: unknown,
  guard: Guard,
  undeclared?: 'allow' | 'deny',
  document?: Document,
): RouteReport[] {
  const stack = routerStack(app);
  const routes = stack ? walk(stack, '', [], { guard, undeclared, document }) : [];
  return document ? document.report(routes) : routes;
}

/** The guard of the `aap` whose report it is, its adapter's `undeclared` mode and `openApi` document. */
interface Reporter {
  readonly guard: Guard;
  readonly undeclared: 'allow' | 'deny' | undefined;
  readonly document: Document | undefined;
}

/**
 * A mounted `aap.require()` or `aap.public()` (`app.use('/users', aap.require(…), router)`): it covers the
 * routes after it that its mount path matches — in its own stack and in the routers below it — and no other.
 * `prefix`: the path of the stack it is mounted in.
 */
interface Mounted {
  readonly layer: Layer;
  readonly prefix: string;
  readonly declared: Declared | undefined;
}

function walk(stack: readonly Layer[], prefix: string, above: readonly Mounted[], reporter: Reporter): RouteReport[] {
  const out: RouteReport[] = [];
  const mounted = [...above];
  for (const layer of stack) {
    const handle = layer.handle;
    if (layer.route) {
      const path = join(prefix, layer.route.path);
      const marker = covering(mounted, typeof layer.route.path === 'string' ? path : undefined);
      for (const method of Object.keys(layer.route.methods).filter((m) => layer.route!.methods[m])) {
        const first = firstHandler(layer.route, method);
        let declared = typeof marker === 'object' ? marker.declared : first?.[DECLARATION];
        let status: 'declared' | 'public' | 'undeclared' = declared
          ? 'declared'
          : first?.[PUBLIC] || marker === 'public'
            ? 'public'
            : 'undeclared';
        const fromDocument =
          status === 'undeclared' ? documented(reporter.document, method, prefix, layer.route.path) : undefined;
        if (fromDocument === 'public') status = 'public';
        else if (fromDocument) {
          status = 'declared';
          declared = { action: fromDocument.compiled.action, guard: reporter.guard, route: fromDocument.compiled };
        }
        const shown = method === '_all' ? 'ALL' : method.toUpperCase();
        out.push(report(reporter, shown, path, status, declared));
      }
    } else if (handle?.[DECLARATION]) mounted.push({ layer, prefix, declared: handle[DECLARATION] });
    else if (handle?.[PUBLIC]) mounted.push({ layer, prefix, declared: undefined });
    else if (Array.isArray(handle?.stack))
      out.push(...walk(handle.stack, join(prefix, mountPath(layer)), mounted, reporter));
  }
  return out;
}

function report(
  reporter: Reporter,
  method: string,
  path: string,
  status: 'declared' | 'public' | 'undeclared',
  declared: Declared | undefined,
): RouteReport {
  if (status === 'public') return { method, path, status, action: undefined };
  const guard = declared?.guard ?? reporter.guard;
  const { others, note } = routeAdmission(guard, status, declared?.route, method, reporter.undeclared);
  return { method, path, status, action: declared?.action, others, note };
}

/**
 * What the mounted markers say of a route at `path` (its full path; undefined: a pattern, not a path):
 * the first declaration whose mount matches it decides, else an opt-out that matches — as a request meets
 * them (`resolve`). A pattern route is covered only by a marker mounted at the root (it matches any path).
 */
function covering(mounted: readonly Mounted[], path: string | undefined): Above {
  let marker: Above;
  for (const entry of mounted) {
    const below = path?.startsWith(entry.prefix) ? path.slice(entry.prefix.length) : undefined;
    const matches =
      path === undefined
        ? isRootMount(entry.layer)
        : below !== undefined && safeMatch(entry.layer, below.startsWith('/') ? below : `/${below}`) !== undefined;
    if (!matches) continue;
    if (entry.declared) return { declared: entry.declared };
    marker = 'public';
  }
  return marker;
}

/** A layer mounted without a path (or at `/`): it runs for every request that reaches its stack. */
function isRootMount(layer: Layer): boolean {
  const path = mountPath(layer);
  return path === '' || path === '/';
}

function mountPath(layer: Layer): string {
  if (typeof layer.rawPath === 'string') return layer.rawPath;
  const source = layer.regexp?.source;
  if (!source || source === '^\\/?(?=\\/|$)') return '';
  const plain = /^\^(.*?)\\\/\?\(\?=\\\/\|\$\)$/.exec(source)?.[1];
  return plain !== undefined && !/[()[\]*+?|^$]/.test(plain.replace(/\\\//g, ''))
    ? plain.replace(/\\\//g, '/')
    : `/${source}`;
}

const join = (prefix: string, path: unknown): string =>
  `${prefix}${typeof path === 'string' ? path : String(path)}`.replace(/\/{2,}/g, '/') || '/';

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
