import type { CompiledRoute, Guard } from '@aap-guard/core';
import { ROUTE_KEYS, checkKeys, routeAdmission } from '@aap-guard/core/node';
import type { FastifyRequest, RouteOptions } from 'fastify';
import type { AapRouteConfig } from './options.js';

/** A route declaration compiled once. */
export interface DeclaredRoute {
  readonly route: CompiledRoute;
  readonly target?: AapRouteConfig['target'];
}

/** Where `onRoute` leaves the route's compiled declaration and the guard that owns the route. */
const DECLARED = Symbol.for('aap-guard.fastify.declared');
const OWNER = Symbol.for('aap-guard.fastify.owner');

/** What the hooks find on a route's config. */
export type RouteConfig = {
  readonly aap?: AapRouteConfig | false | undefined;
  readonly [DECLARED]?: DeclaredRoute | undefined;
  readonly [OWNER]?: object | undefined;
};

/** One route as the startup report lists it. */
export interface RouteReport {
  readonly method: string;
  readonly path: string;
  /** `not_routed`: the OpenAPI document (`openApi`) lists the operation, the app has no such route. */
  readonly status: 'declared' | 'public' | 'undeclared' | 'not_routed';
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
 * The declarations of one plugin instance, compiled once per route: in `onRoute` when the route is added
 * after the plugin (a bad declaration throws a `TypeError` at registration), or on the route's first
 * request when it was added before the plugin had its hooks in place (a route that visibly carries
 * `config.aap` is enforced in every case: never skipped for want of a compiled form).
 *
 * Several registrations in one app (a public guard at the root, an admin guard in an encapsulated
 * context): a route belongs to the innermost registration that saw it added — the last `onRoute` to run —
 * and only that guard checks it, with all of its own options; an outer guard's hook leaves it alone.
 */
export class Declarations {
  readonly #compiled = new WeakMap<object, DeclaredRoute>();
  readonly #routes: RouteReport[] = [];

  constructor(
    private readonly guard: Guard,
    private readonly undeclared?: 'allow' | 'deny',
  ) {}

  /** `onRoute`: compile the declaration now, claim the route for this guard, remember it for the report. */
  onRoute(routeOptions: RouteOptions): void {
    const config = (routeOptions.config ?? {}) as RouteConfig;
    const where = `${String(routeOptions.method)} ${routeOptions.url}`;
    const declared = this.#compile(config, where);
    routeOptions.config = { ...config, [DECLARED]: declared, [OWNER]: this.guard } as RouteOptions['config'];
    const status = config.aap === false ? 'public' : declared ? 'declared' : 'undeclared';
    const path = routeOptions.url ?? '';
    for (const method of [routeOptions.method].flat().map(String)) {
      if (status === 'public') this.#routes.push({ method, path, status, action: undefined });
      else
        this.#routes.push({
          method,
          path,
          status,
          action: declared?.route.action,
          ...routeAdmission(this.guard, status, declared?.route, method, this.undeclared),
        });
    }
  }

  /**
   * Whether the request's route (its `routeOptions.config`) belongs to another registration's guard (which checks it).
   */
  foreign(config: RouteConfig | undefined): boolean {
    const owner = config?.[OWNER];
    return owner !== undefined && owner !== this.guard;
  }

  /** The declaration of the request's route: compiled already, or now (a route added before the plugin). */
  of(request: FastifyRequest, config: RouteConfig | undefined): DeclaredRoute | undefined {
    if (!config) return undefined;
    return config[OWNER] === this.guard
      ? config[DECLARED]
      : this.#compile(config, `${request.method} ${request.routeOptions.url ?? request.url}`);
  }

  /** Every route added after the plugin, and what the guard does with it. */
  report(): readonly RouteReport[] {
    return [...this.#routes];
  }

  #compile(config: RouteConfig, where: string): DeclaredRoute | undefined {
    const declaration = config.aap;
    if (declaration === undefined || declaration === false) return undefined;
    const known = this.#compiled.get(config);
    if (known) return known;
    if (typeof declaration !== 'object' || declaration === null) {
      throw new TypeError(`@aap-guard/fastify: config.aap of ${where} must be a declaration object or false`);
    }
    checkKeys(declaration, [...ROUTE_KEYS, 'target'], `@aap-guard/fastify: config.aap of ${where}`);
    const { target, ...spec } = declaration;
    if (target !== undefined && typeof target !== 'function')
      throw new TypeError(`@aap-guard/fastify: config.aap.target of ${where} must be a function`);
    const declared: DeclaredRoute = Object.freeze({ route: this.guard.route(spec), target });
    this.#compiled.set(config, declared);
    return declared;
  }
}
