import { openApiDisagreements, openApiOperations, type OpenApiOperation } from '@aap-guard/core/openapi';
import type { FastifyRequest, RouteOptions } from 'fastify';
import type { RouteReport } from './declared-routes.js';
import type { AapRouteConfig } from './options.js';

/** A path and method compared parameter names aside: `/items/:id` and `/items/:itemId` are one route. */
const keyOf = (method: string, path: string) => `${method.toUpperCase()} ${path.replace(/:[^/]+/g, ':')}`;

/**
 * The plugin's `openApi` option: the document's operations, read once at registration (a malformed one is a
 * TypeError then), each declaring the app route of its method and path.
 */
export class OpenApiRoutes {
  readonly #operations: readonly OpenApiOperation[];
  readonly #declarations = new Map<string, AapRouteConfig | false>();

  constructor(document: unknown) {
    this.#operations = openApiOperations(document);
    for (const op of this.#operations) {
      if (op.declaration === undefined) continue;
      const target = op.target;
      const read = target === undefined
        ? undefined
        : target.in === 'path'
          ? (request: FastifyRequest) => (request.params as Record<string, unknown> | undefined)?.[target.name]
          : (request: FastifyRequest) => (request.query as Record<string, unknown> | undefined)?.[target.name];
      this.#declarations.set(keyOf(op.method, op.route), op.declaration === false ? false : Object.freeze({ ...op.declaration, target: read }));
    }
  }

  /** `onRoute`: a route without a `config.aap` of its own takes its operation's declaration. */
  declare(routeOptions: RouteOptions): void {
    const config = (routeOptions.config ?? {}) as { aap?: unknown };
    if (config.aap !== undefined) return; // the route's own declaration wins
    for (const method of [routeOptions.method].flat()) {
      const declaration = this.#declarations.get(keyOf(String(method), routeOptions.url ?? ''));
      if (declaration === undefined) continue;
      routeOptions.config = { ...config, aap: declaration } as RouteOptions['config'];
      return;
    }
  }

  /** The route report with the disagreements marked, and the operations no app route serves appended. */
  report(routes: readonly RouteReport[]): RouteReport[] {
    const own = routes.filter((route) => route.method !== 'HEAD' && !route.path.startsWith('/.well-known/oauth-protected-resource'));
    const { missing, unlisted } = openApiDisagreements(this.#operations, own);
    const out = routes.map((route) => (unlisted.includes(route) ? { ...route, openApi: 'not_in_document' as const } : route));
    for (const op of missing) {
      out.push({ method: op.method, path: op.route, status: 'not_routed', action: op.declaration ? op.declaration.action : undefined, openApi: 'no_app_route' });
    }
    return out;
  }
}
