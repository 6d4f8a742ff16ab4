import {
  andThen,
  healthRouteOptions,
  nodeFlow,
  resolveAdapterOptions,
  resourceMetadataPaths,
  serveResourceMetadata,
  writeHealth,
  type Awaitable,
  type FlowOutcome,
  type HealthRouteOptions,
  type NodeFlow,
  type AdapterSettings,
} from '@aap-guard/core/node';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import type { AapDecoration, AapHealth } from './augment.js';
import { Declarations, type DeclaredRoute, type RouteConfig } from './declared-routes.js';
import { FASTIFY_KEYS, type AapFastifyOptions } from './options.js';
import { respondDeny } from './respond.js';
import { OpenApiDocument } from './openapi-routes.js';

async function aapGuardPlugin(fastify: FastifyInstance, options: AapFastifyOptions): Promise<void> {
  const adapter = resolveAdapterOptions<FastifyRequest>(
    '@aap-guard/fastify',
    options as Record<string, unknown>,
    process.env,
    FASTIFY_KEYS,
  );
  const flow = nodeFlow(adapter.guard);
  const declarations = new Declarations(adapter.guard, adapter.undeclared);
  const given = (options as { openApi?: unknown }).openApi;
  const metadataPaths = resourceMetadataPaths(adapter.guard);
  const openApi = given === undefined ? undefined : new OpenApiDocument(given, metadataPaths);
  const health = healthRoutes(adapter.guard);
  const routes = () => (openApi ? openApi.report(declarations.report()) : declarations.report());
  const decoration: AapDecoration = Object.freeze({ guard: adapter.guard, routes, health });
  // A second registration in an encapsulated context (an admin guard beside the public one) has its own.
  if (fastify.hasDecorator('aap')) (fastify as unknown as { aap: AapDecoration }).aap = decoration;
  else fastify.decorate('aap', decoration);
  if (!fastify.hasRequestDecorator('aap')) fastify.decorateRequest('aap', null);
  fastify.addHook('onRoute', (routeOptions) => {
    metadataRoute(routeOptions, metadataPaths);
    openApi?.declare(routeOptions);
    declarations.onRoute(routeOptions);
  });
  for (const url of metadataPaths) addMetadataRoute(fastify, adapter.guard, url);
  // Callback style, not async: a request the flow settles synchronously (a cached token, the memory
  // store) goes on to its handler in the same tick, without a promise of ours.
  fastify.addHook(
    'onRequest',
    function aapOnRequest(request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) {
      if (serveResourceMetadata(adapter.guard, request.raw, reply.raw, request.originalUrl)) {
        reply.hijack(); // RFC 9728: public
        return done();
      }
      if (adapter.skip?.(request)) return done();
      // Read once: Fastify builds a new `routeOptions` object on every access.
      const config = request.routeOptions.config as RouteConfig | undefined;
      if (config?.aap === false) return done(); // opted out: public
      if (declarations.foreign(config)) return done(); // another registration's guard checks this route
      run(adapter, flow, request, reply, done, () =>
        check(adapter, flow, declarations.of(request, config), request, reply),
      );
    },
  );
  // A request passed on without an AAP credential (`authRequired: false`) meets step 1 again once Fastify has
  // parsed its body: a token the app's parser finds there (a form body split on `;`, which the guard's own
  // reading does not split) is refused, as on Express and Koa, before the handler sees it (RFC 6750 §2.2).
  fastify.addHook(
    'preHandler',
    function aapPreHandler(request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) {
      if (request.body === undefined || flow.state(request.raw) !== 'passed') return done();
      const config = request.routeOptions.config as RouteConfig | undefined;
      const declared = config?.aap === false ? undefined : declarations.of(request, config);
      const parts = { parsedBody: request.body, url: request.originalUrl };
      run(adapter, flow, request, reply, done, () => flow.finish(request.raw, reply.raw, declared?.route, parts));
    },
  );
  if (adapter.owned) fastify.addHook('onClose', async () => adapter.guard.close());
}

/**
 * Marks the metadata routes this plugin adds (Fastify's `onRoute` documents the tag, so that none is processed twice).
 */
const METADATA_ROUTE = Symbol.for('aap-guard.fastify.metadata');
/** The metadata paths some registration of this plugin routes already, per app (its server: one for every context). */
const metadataRoutes = new WeakMap<object, Set<string>>();

/**
 * RFC 9728 §3.1: the metadata is published at the ROOT of the resource's origin — where every 401's
 * `resource_metadata` points. Registered as routes (Fastify's router is one for the whole app, whatever the
 * encapsulation context), so the document is found when this plugin sits in an encapsulated context (a
 * fastify-cli app, which autoload registers as a plugin), even under a prefix. The app has its own route
 * there: a `TypeError` at startup naming it — two documents for one resource would disagree.
 */
function addMetadataRoute(fastify: FastifyInstance, guard: AapDecoration['guard'], url: string): void {
  // A second registration in the same app (an admin guard in its own context) leaves the route to the first.
  const added = metadataRoutes.get(fastify.server) ?? new Set<string>();
  metadataRoutes.set(fastify.server, added);
  if (added.has(url)) return;
  added.add(url);
  try {
    fastify.route({
      method: 'GET', // and HEAD (Fastify's exposeHeadRoutes; the onRequest hook answers HEAD in any case)
      url,
      config: { aap: false },
      [METADATA_ROUTE]: url,
      handler: (request, reply) => {
        // The onRequest hook of this plugin answered already; this runs only if another hook let it through.
        if (!serveResourceMetadata(guard, request.raw, reply.raw, request.originalUrl)) return reply.callNotFound();
        return reply.hijack();
      },
    } as Parameters<FastifyInstance['route']>[0]);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'FST_ERR_DUPLICATED_ROUTE') throw error;
    throw metadataConflict(url);
  }
}

/**
 * `onRoute`: our metadata route at the root path, not under the context's prefix; the app's own at that path refused.
 */
function metadataRoute(routeOptions: RouteOptions, paths: readonly string[]): void {
  const ours = (routeOptions as RouteOptions & { [METADATA_ROUTE]?: string })[METADATA_ROUTE];
  if (ours !== undefined) {
    routeOptions.url = ours;
    (routeOptions as { path?: string }).path = ours;
    return;
  }
  const methods = [routeOptions.method].flat();
  if (paths.includes(routeOptions.url ?? '') && methods.some((method) => method === 'GET' || method === 'HEAD'))
    throw metadataConflict(routeOptions.url ?? '');
}

function metadataConflict(url: string): TypeError {
  return new TypeError(
    `@aap-guard/fastify: the app has its own route GET ${url}, where aap-guard serves this resource's RFC 9728 metadata (every 401 points there): remove the app's route`,
  );
}

type HealthHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;

/**
 * `app.aap.health`: the public readiness handler itself (`app.get('/ready', …, app.aap.health)`), or, given
 * options, a handler with them (`app.aap.health({ detail: true })`) — the same options as Express's and
 * Koa's `aap.health(options)`. Fastify calls a handler with a reply, the options form is called without.
 */
function healthRoutes(guard: AapDecoration['guard']): AapHealth {
  const handler =
    (settings: HealthRouteOptions): HealthHandler =>
    async (_request, reply) => {
      writeHealth(guard, reply.raw, settings);
      return reply.hijack();
    };
  const publicHandler = handler({});
  const health = (first: unknown, reply?: FastifyReply) =>
    reply === undefined
      ? handler(healthRouteOptions(first, 'app.aap.health'))
      : publicHandler(first as FastifyRequest, reply);
  return health as AapHealth;
}

/**
 * Run a guard step from a hook and apply its outcome: synchronously when it settles so (no promise of ours), and
 * any exception — thrown or rejected — as an audited 503, never a 500.
 */
function run(
  adapter: AdapterSettings<FastifyRequest>,
  flow: NodeFlow,
  request: FastifyRequest,
  reply: FastifyReply,
  done: (error?: Error) => void,
  step: () => Awaitable<FlowOutcome>,
): void {
  const faulted = (error: unknown): FlowOutcome => ({ kind: 'deny', decision: flow.fault(request.raw, error) });
  let outcome: Awaitable<FlowOutcome>;
  try {
    outcome = step();
  } catch (error) {
    outcome = faulted(error);
  }
  if (!(outcome instanceof Promise)) return done(respond(adapter, request, reply, outcome));
  outcome.then(undefined, faulted).then((settled) => done(respond(adapter, request, reply, settled)));
}

/** Apply a settled outcome to the reply; the error, if any, for Fastify's error handling (`denyAs: 'error'`). */
function respond(
  adapter: AdapterSettings<FastifyRequest>,
  request: FastifyRequest,
  reply: FastifyReply,
  outcome: FlowOutcome,
): Error | undefined {
  try {
    if (outcome.kind === 'deny') respondDeny(adapter, reply, outcome.decision);
    else if (outcome.kind === 'allow') {
      request.aap = outcome.principal ?? null;
      reply.headers(outcome.decision.headers); // RateLimit…, a fresh DPoP-Nonce, on allowed responses too
      if (!outcome.proceed) reply.hijack(); // a size limit refused it; the 413 is written
    }
    return undefined;
  } catch (error) {
    return error as Error;
  }
}

/**
 * Fastify knows the route at `onRequest`: a declared route is authenticated AND authorized in one run
 * (one store call); an undeclared one is authenticated, then refused in `deny` mode (a path no route
 * matches goes on to Fastify's 404 — its DPoP proof consumed).
 */
function check(
  adapter: AdapterSettings<FastifyRequest>,
  flow: NodeFlow,
  declared: DeclaredRoute | undefined,
  request: FastifyRequest,
  reply: FastifyReply,
): Awaitable<FlowOutcome> {
  const { raw } = request;
  if (declared) {
    const parts = { target: declared.target?.(request), params: request.params, url: request.originalUrl };
    return flow.finish(raw, reply.raw, declared.route, parts, { onRequestTooLarge: () => reply.hijack() });
  }
  return andThen(flow.begin(raw, reply.raw, request.originalUrl), (begun) => {
    if (begun.kind !== 'authenticated') return begun;
    request.aap = begun.principal;
    if (adapter.undeclared === 'deny' && !request.is404) {
      return {
        kind: 'deny',
        decision: flow.refuse(raw, 'route_undeclared', {
          check: 'fastify.undeclared',
          route: request.routeOptions.url,
        }),
      };
    }
    return flow.finish(raw, reply.raw);
  });
}

/**
 * Fastify plugin of aap-guard (Fastify 5 and 4). Register it BEFORE your routes and plugins: each route
 * declares its AAP action in its config, `config: { aap: { action: 'search.web', target: (request) => … } }`,
 * compiled once when the route is added (or on its first request if it was added before the plugin), or
 * `aap: false` to opt out. An `onRequest` hook authenticates and authorizes each request in one run and
 * sets `request.aap`. Undeclared routes are refused (403 `route_undeclared`) unless `undeclared: 'allow'`.
 * Explicit options are merged over `AAP_ISSUER`, `AAP_AUDIENCE`, `AAP_JWKS_URI`. The guard is
 * `app.aap.guard`; `app.aap.routes()` lists the routes and what the guard does with each.
 *
 * @example
 * import Fastify from 'fastify';
 * import { aapGuard, principalOf } from '@aap-guard/fastify';
 * const app = Fastify();
 * await app.register(aapGuard, { issuer: 'https://as.example.com', audience: 'https://api.example.com' });
 * app.get('/v1/search', { config: { aap: { action: 'search.web' } } }, async (request) => ({
 *   agent: principalOf(request).claims.agent.id,
 * }));
 * app.get('/health', { config: { aap: false } }, async () => ({ status: 'ok' }));
 */
export const aapGuard: FastifyPluginAsync<AapFastifyOptions> = fp(aapGuardPlugin, {
  fastify: '4.x || 5.x',
  name: '@aap-guard/fastify',
});
