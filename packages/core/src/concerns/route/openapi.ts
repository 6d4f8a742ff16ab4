import type { RouteSpec } from '../../base/types/route.js';
import { ROUTE_KEYS } from './compile-route.js';

/** The HTTP methods an OpenAPI 3.x Path Item names operations by (OAS 3.1 §4.8.9). */
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
/** The declaration members `x-aap-action` may carry: the route settings, without code (`constraints`), and `target`. */
const KEYS = [...ROUTE_KEYS.filter((key) => key !== 'constraints'), 'target'];

/** Where an operation's target (the URL or host it acts on) comes from: one of its parameters. */
export interface OpenApiTarget {
  readonly in: 'path' | 'query';
  readonly name: string;
}

/**
 * One operation of an OpenAPI 3.x document, as a route declaration (`openApiOperations`).
 *
 * @example
 * const op: OpenApiOperation = { method: 'GET', path: '/v1/items/{id}', route: '/v1/items/:id', declaration: { action:
 * 'items.read' } };
 */
export interface OpenApiOperation {
  /** Upper-case HTTP method. */
  readonly method: string;
  /** The path as the document templates it (`/v1/items/{id}`). */
  readonly path: string;
  /** The same path in the routers' syntax (`/v1/items/:id`: Express, Fastify, Koa's router). */
  readonly route: string;
  readonly operationId?: string | undefined;
  /**
   * What `x-aap-action` declares: the route's settings; `false`: public; undefined: nothing (the route is undeclared).
   */
  readonly declaration: RouteSpec | false | undefined;
  /** The parameter the target is read from, when `x-aap-action` names one. */
  readonly target?: OpenApiTarget | undefined;
}

/**
 * The operations of an OpenAPI 3.x document (a parsed object: nothing is fetched) and what each declares in
 * its `x-aap-action` extension: an action (`x-aap-action: search.web`), a declaration
 * (`{ action, target: 'url', purposes, maxSensitivity, classification, taskIdFrom, pop, readOnly, dpop }`; `target`
 * names a
 * path or query parameter of the operation, `$ref`s to `#/components/parameters/…` followed), or `false`
 * (public). Operations without it are listed undeclared. A malformed document or declaration is a
 * `TypeError` naming the operation; the adapters call it once, at startup.
 *
 * @example
 * openApiOperations({ openapi: '3.1.0', paths: { '/v1/items/{id}': { get: { 'x-aap-action': 'items.read' } } } })
 * // [{ method: 'GET', path: '/v1/items/{id}', route: '/v1/items/:id', operationId: undefined, declaration: { action:
 * // 'items.read' }, target: undefined }]
 */
export function openApiOperations(document: unknown): readonly OpenApiOperation[] {
  const doc = document as { openapi?: unknown; paths?: unknown } | null;
  if (typeof doc !== 'object' || doc === null || typeof doc.openapi !== 'string' || !/^3\.\d+/.test(doc.openapi)) {
    throw new TypeError(
      'openApiOperations: the document must be a parsed OpenAPI 3.x object (its `openapi` member "3.x.y")',
    );
  }
  const paths = doc.paths ?? {};
  if (typeof paths !== 'object' || paths === null) throw new TypeError('openApiOperations: `paths` must be an object');
  const out: OpenApiOperation[] = [];
  for (const [path, item] of Object.entries(paths as Record<string, unknown>)) {
    if (!path.startsWith('/')) throw new TypeError(`openApiOperations: path "${path}" must start with "/"`);
    if (typeof item !== 'object' || item === null) continue;
    const shared = (item as { parameters?: unknown }).parameters;
    for (const method of METHODS) {
      const operation = (item as Record<string, unknown>)[method];
      if (typeof operation !== 'object' || operation === null) continue;
      const where = `${method.toUpperCase()} ${path}`;
      const parameters = [
        ...parametersOf(document, shared, where),
        ...parametersOf(document, (operation as { parameters?: unknown }).parameters, where),
      ];
      const { declaration, target } = declarationOf(
        (operation as Record<string, unknown>)['x-aap-action'],
        parameters,
        where,
      );
      const id = (operation as { operationId?: unknown }).operationId;
      out.push({
        method: method.toUpperCase(),
        path,
        route: routerPath(path),
        operationId: typeof id === 'string' ? id : undefined,
        declaration,
        target,
      });
    }
  }
  return out;
}

/**
 * An OpenAPI path template in the routers' syntax: `{id}` → `:id` (Express, Fastify, Koa's router).
 *
 * @example
 * routerPath('/v1/users/{userId}/items/{id}') // '/v1/users/:userId/items/:id'
 */
export function routerPath(template: string): string {
  return template.replace(/\{([^}/]+)\}/g, (_all, name: string) => `:${name}`);
}

/**
 * Where a document and an app disagree: operations the document lists that no app route serves, and app
 * routes the document does not list — for the startup route report. Paths compare in the routers' syntax,
 * parameter names aside (`/items/:id` and `/items/:itemId` are one route).
 *
 * @example
 * openApiDisagreements(openApiOperations(doc), [{ method: 'GET', path: '/v1/items/:id' }])
 * // { missing: [ …operations without a route ], unlisted: [ …routes without an operation ] }
 */
export function openApiDisagreements<R extends { readonly method: string; readonly path: string }>(
  operations: readonly OpenApiOperation[],
  routes: readonly R[],
): { readonly missing: readonly OpenApiOperation[]; readonly unlisted: readonly R[] } {
  const documented = new Set(operations.map((op) => routeKey(op.method, op.route)));
  const served = new Set(
    routes.flatMap((route) =>
      route.method === 'ALL' ? METHODS.map((m) => routeKey(m, route.path)) : [routeKey(route.method, route.path)],
    ),
  );
  return {
    missing: operations.filter((op) => !served.has(routeKey(op.method, op.route))),
    unlisted: routes.filter(
      (route) =>
        !(route.method === 'HEAD' && served.has(routeKey('GET', route.path))) &&
        !documented.has(routeKey(route.method, route.path)) &&
        route.method !== 'ALL',
    ),
  };
}

interface Parameter {
  readonly in: string;
  readonly name: string;
}

function parametersOf(document: unknown, list: unknown, where: string): Parameter[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new TypeError(`openApiOperations: parameters of ${where} must be an array`);
  return list.map((entry: unknown) => {
    const parameter = resolveRef(document, entry, where) as { in?: unknown; name?: unknown };
    if (typeof parameter?.in !== 'string' || typeof parameter.name !== 'string')
      throw new TypeError(`openApiOperations: a parameter of ${where} has no \`in\` and \`name\``);
    return { in: parameter.in, name: parameter.name };
  });
}

/**
 * A local reference (`#/components/parameters/Id`) followed; any other (a remote document) is refused, never fetched.
 */
function resolveRef(document: unknown, value: unknown, where: string): unknown {
  let current = value;
  for (let hops = 0; hops < 8; hops++) {
    const ref = (current as { $ref?: unknown } | null)?.$ref;
    if (typeof ref !== 'string') return current;
    if (!ref.startsWith('#/'))
      throw new TypeError(
        `openApiOperations: ${where} refers to "${ref}": only local references (#/components/…) are followed`,
      );
    current = ref
      .slice(2)
      .split('/')
      .reduce<unknown>(
        (node, part) =>
          (node as Record<string, unknown> | undefined)?.[part.replaceAll('~1', '/').replaceAll('~0', '~')],
        document,
      );
    if (current === undefined)
      throw new TypeError(`openApiOperations: ${where} refers to "${ref}", which the document does not have`);
  }
  throw new TypeError(`openApiOperations: ${where} has a reference cycle`);
}

function declarationOf(
  given: unknown,
  parameters: readonly Parameter[],
  where: string,
): Pick<OpenApiOperation, 'declaration' | 'target'> {
  if (given === undefined) return { declaration: undefined };
  if (given === false) return { declaration: false };
  if (typeof given === 'string') return { declaration: { action: given } };
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw new TypeError(`openApiOperations: x-aap-action of ${where} must be an action, a declaration object or false`);
  }
  for (const key of Object.keys(given)) {
    if (!KEYS.includes(key))
      throw new TypeError(
        `openApiOperations: x-aap-action of ${where} has an unknown member "${key}" (known: ${KEYS.join(', ')})`,
      );
  }
  const { target, ...spec } = given as Record<string, unknown>;
  if (typeof spec.action !== 'string')
    throw new TypeError(`openApiOperations: x-aap-action of ${where} must name its action`);
  if (target === undefined) return { declaration: spec as unknown as RouteSpec };
  const parameter = parameters.find((p) => p.name === target && (p.in === 'path' || p.in === 'query'));
  if (!parameter)
    throw new TypeError(
      `openApiOperations: x-aap-action.target of ${where} must name a path or query parameter of the operation ("${String(target)}" is none)`,
    );
  return {
    declaration: spec as unknown as RouteSpec,
    target: { in: parameter.in as 'path' | 'query', name: parameter.name },
  };
}

/** A route of an adapter's report, as the document's comparison reads it. */
export interface OpenApiReportedRoute {
  readonly method: string;
  readonly path: string;
}

/** An operation of the document no app route serves, as the route report lists it. */
export interface OpenApiNotRouted {
  readonly method: string;
  readonly path: string;
  readonly status: 'not_routed';
  readonly action: string | undefined;
  readonly openApi: 'no_app_route';
}

/** What the document declares for one app route: its operation, and the declaration compiled once. */
export interface OpenApiDeclared<T> {
  readonly operation: OpenApiOperation;
  readonly compiled: T;
}

/**
 * An adapter's `openApi` option, read once at startup: the rule every adapter follows. An app route (its
 * method and path pattern in the routers' syntax, mount paths included) takes the declaration of the
 * operation of the same method and path, parameter names aside; a HEAD request to a route the document
 * lists for GET only takes the GET operation's (the routers answer HEAD with the GET handler). A route's
 * own declaration (`aap.require()`, `config.aap`, `aap.public()`) is the adapter's to prefer: it wins.
 */
export interface OpenApiRoutes<T> {
  readonly operations: readonly OpenApiOperation[];
  /**
   * The document's declaration of an app route: compiled, `false` (public), or undefined (the document declares nothing
   * for it).
   */
  declared(method: string, route: string): OpenApiDeclared<T> | false | undefined;
  /**
   * The route report with the disagreements marked — `openApi: 'not_in_document'` on an app route the
   * document does not list — and a `not_routed` entry (`openApi: 'no_app_route'`) appended for each
   * operation no app route serves. `compared`: which of the report's routes the app owns (not the guard's
   * own metadata route, say); the others are left unmarked.
   */
  report<R extends OpenApiReportedRoute>(
    routes: readonly R[],
    compared?: (route: R) => boolean,
  ): (R | (R & { readonly openApi: 'not_in_document' }) | OpenApiNotRouted)[];
}

/** A path and method compared parameter names aside: `/items/:id` and `/items/:itemId` are one route. */
const routeKey = (method: string, path: string): string => `${method.toUpperCase()} ${path.replace(/:[^/]+/g, ':')}`;

/**
 * Read an OpenAPI 3.x document for an adapter (`openApi` option): its operations (a `TypeError` at startup
 * for a malformed one), each declaration compiled once with `compile` (`guard.route`: a `TypeError` at
 * startup for a bad one), looked up per app route.
 *
 * @example
 * const routes = openApiRoutes(doc, (spec) => guard.route(spec));
 * routes.declared('GET', '/v1/items/:itemId'); // { operation, compiled } — or false (public), or undefined
 */
export function openApiRoutes<T>(
  document: unknown,
  compile: (spec: RouteSpec, operation: OpenApiOperation) => T,
): OpenApiRoutes<T> {
  const operations = openApiOperations(document);
  const byKey = new Map<string, OpenApiDeclared<T> | false>();
  for (const operation of operations) {
    if (operation.declaration === undefined) continue;
    const key = routeKey(operation.method, operation.route);
    if (byKey.has(key)) continue; // `/items/{id}` and `/items/{itemId}`: one route; the first declares it
    byKey.set(
      key,
      operation.declaration === false
        ? false
        : Object.freeze({ operation, compiled: compile(operation.declaration, operation) }),
    );
  }
  // Route patterns are few (the app's routes): each pattern's answer is kept, no pattern is parsed twice.
  const answers = new Map<string, OpenApiDeclared<T> | false | undefined>();
  const lookup = (method: string, route: string): OpenApiDeclared<T> | false | undefined => {
    const found = byKey.get(routeKey(method, route));
    return found === undefined && method.toUpperCase() === 'HEAD' ? byKey.get(routeKey('GET', route)) : found;
  };
  return {
    operations,
    declared(method, route) {
      const memo = `${method} ${route}`;
      if (answers.has(memo)) return answers.get(memo);
      const found = lookup(method, route);
      answers.set(memo, found);
      return found;
    },
    report(routes, compared = () => true) {
      const own = routes.filter((route) => compared(route));
      const { missing, unlisted } = openApiDisagreements(operations, own);
      const out: (
        (typeof routes)[number] | ((typeof routes)[number] & { readonly openApi: 'not_in_document' }) | OpenApiNotRouted
      )[] = routes.map((route) =>
        unlisted.includes(route) ? Object.assign({}, route, { openApi: 'not_in_document' as const }) : route,
      );
      for (const op of missing) {
        out.push({
          method: op.method,
          path: op.route,
          status: 'not_routed',
          action: op.declaration ? op.declaration.action : undefined,
          openApi: 'no_app_route',
        });
      }
      return out;
    },
  };
}

/** Each operation's path template as a pattern, made once (`openApiPathParams`). */
const templates = new WeakMap<OpenApiOperation, { readonly pattern: RegExp; readonly names: readonly string[] }>();

/**
 * The path parameters of a request path on an operation, read from the operation's template (`{id}`) —
 * for an adapter that authorizes before its router has parsed them (Express's and Koa's app-wide
 * middleware). Percent-decoded as the routers decode them; a path that does not fit the template (or a
 * malformed escape) gives no parameters, never a guess.
 *
 * @example
 * openApiPathParams(operation, '/v1/items/7') // { id: '7' } for '/v1/items/{id}'
 */
export function openApiPathParams(operation: OpenApiOperation, path: string): Record<string, string> | undefined {
  let template = templates.get(operation);
  if (!template) {
    const names: string[] = [];
    const source = operation.path
      .split(/(\{[^}/]+\})/)
      .map((part) => {
        const name = /^\{([^}/]+)\}$/.exec(part)?.[1];
        if (name === undefined) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(name);
        return '([^/]+)';
      })
      .join('');
    // The routers' defaults: case-insensitive, a trailing slash allowed (Express's `strict: false`, @koa/router's).
    template = { pattern: new RegExp(`^${source}/?$`, 'i'), names };
    templates.set(operation, template);
  }
  const match = template.pattern.exec(path);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  try {
    template.names.forEach((name, index) => {
      params[name] = decodeURIComponent(match[index + 1]!);
    });
  } catch {
    return undefined;
  }
  return params;
}

/**
 * The value of the parameter an operation's `x-aap-action.target` names, for one request: from its path
 * parameters or its parsed query. Undefined when the operation names none (or the request has none); a
 * repeated query parameter (an array) is passed as is — the core refuses a target that is not one string.
 *
 * @example
 * openApiTarget(operation, { id: '7' }, { url: 'https://example.com/' }) // 'https://example.com/' for target `url` in
 * // query
 */
export function openApiTarget(operation: OpenApiOperation, params: unknown, query: unknown): unknown {
  const target = operation.target;
  if (target === undefined) return undefined;
  const from = target.in === 'path' ? params : query;
  return typeof from === 'object' && from !== null ? (from as Record<string, unknown>)[target.name] : undefined;
}
