import { openApiRoutes, openApiTarget, type OpenApiRoutes } from '@aap-guard/core/openapi';
import type { FastifyRequest, RouteOptions } from 'fastify';
import type { RouteReport } from './declared-routes.js';
import type { AapRouteConfig } from './options.js';

/**
 * The plugin's `openApi` option: the document's operations, read once at registration (a malformed one is a
 * TypeError then), each declaring the app route of its method and path (the rule: `openApiRoutes` of the core).
 */
export class OpenApiDocument {
  readonly #routes: OpenApiRoutes<AapRouteConfig>;
  /** The plugin's own RFC 9728 metadata routes (`resourceMetadataPaths`): never the document's business. */
  readonly #metadata: ReadonlySet<string>;

  constructor(document: unknown, metadataPaths: readonly string[]) {
    this.#metadata = new Set(metadataPaths);
    // Each declaration becomes the `config.aap` it stands for, made once; the plugin compiles it as its own.
    this.#routes = openApiRoutes(document, (spec, operation) =>
      Object.freeze({
        ...spec,
        target:
          operation.target && ((request: FastifyRequest) => openApiTarget(operation, request.params, request.query)),
      }),
    );
  }

  /** `onRoute`: a route without a `config.aap` of its own takes its operation's declaration. */
  declare(routeOptions: RouteOptions): void {
    const config = (routeOptions.config ?? {}) as { aap?: unknown };
    if (config.aap !== undefined) return; // the route's own declaration wins
    for (const method of [routeOptions.method].flat()) {
      const declared = this.#routes.declared(String(method), routeOptions.url ?? '');
      if (declared === undefined) continue;
      routeOptions.config = {
        ...config,
        aap: declared === false ? false : declared.compiled,
      } as RouteOptions['config'];
      return;
    }
  }

  /** The route report with the disagreements marked, and the operations no app route serves appended. */
  report(routes: readonly RouteReport[]): RouteReport[] {
    return this.#routes.report(routes, (route) => route.method !== 'HEAD' && !this.#metadata.has(route.path));
  }
}
