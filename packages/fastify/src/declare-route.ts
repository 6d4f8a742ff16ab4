import type { CompiledRoute, Guard } from '@aap-guard/core';
import type { RouteOptions } from 'fastify';
import type { AapRouteConfig } from './options.js';

/** Where a route's compiled declaration is kept: on its config object, invisible to JSON and to users. */
export const DECLARED = Symbol('aap-guard.fastify.declared');

/** A route declaration compiled once, at registration. */
export interface DeclaredRoute {
  readonly route: CompiledRoute;
  readonly target?: AapRouteConfig['target'];
}

/** What the `onRequest` hook finds on a route's config. */
export type RouteConfigWithDeclaration = { readonly aap?: AapRouteConfig | false | undefined; readonly [DECLARED]?: DeclaredRoute };

/**
 * The plugin's `onRoute` hook: read `config.aap` once and compile it with `guard.route()` (a bad
 * declaration throws a `TypeError` at registration, not per request). The compiled route is stored
 * under a symbol on the route's config; Fastify copies it into the route context it hands to hooks.
 *
 * @example
 * fastify.addHook('onRoute', (routeOptions) => declareRoute(guard, routeOptions));
 */
export function declareRoute(guard: Guard, routeOptions: RouteOptions): void {
  const config = routeOptions.config as RouteConfigWithDeclaration | undefined;
  const declaration = config?.aap;
  if (declaration === undefined || declaration === false) return;
  if (typeof declaration !== 'object' || declaration === null) {
    throw new TypeError(`@aap-guard/fastify: config.aap of ${String(routeOptions.method)} ${routeOptions.url} must be a declaration object or false`);
  }
  const { target, ...spec } = declaration;
  if (target !== undefined && typeof target !== 'function') {
    throw new TypeError(`@aap-guard/fastify: config.aap.target of ${String(routeOptions.method)} ${routeOptions.url} must be a function`);
  }
  const declared: DeclaredRoute = Object.freeze({ route: guard.route(spec), target });
  routeOptions.config = { ...config, [DECLARED]: declared } as RouteOptions['config'];
}
