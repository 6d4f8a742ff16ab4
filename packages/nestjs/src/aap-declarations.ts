import type { CompiledRoute } from '@aap-guard/core';
import { routeAdmission } from '@aap-guard/core/node';
import { Inject, Injectable, RequestMethod, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { NestAdapter } from './options.js';
import { AAP_ROUTE, type DeclaredAction, type RouteMetadata } from './route-metadata.js';
import { AAP_ADAPTER } from './tokens.js';

/** One route handler as the startup report lists it. */
export interface AapRouteReport {
  /** The controller class's name. */
  readonly controller: string;
  /** The handler method's name. */
  readonly handler: string;
  /** The HTTP method of its `@Get()`, `@Post()`… (`ALL` for `@All()`). */
  readonly method: string;
  /** `declared` (`@AapAction`), `public` (`@AapPublic`) or `undeclared` (refused unless `undeclared: 'allow'`). */
  readonly status: 'declared' | 'public' | 'undeclared';
  readonly action?: string | undefined;
  /**
   * What the handler does with a request that carries no AAP credential (an API key, a session): `refused`, or
   * `passed` to the app's own authentication (`authRequired: false`, on a route that does not admit agents
   * only). Absent on public handlers.
   */
  readonly others?: 'refused' | 'passed' | undefined;
  /** Where others are passed to the app, one line that says so: `agents checked; others passed to the app`. */
  readonly note?: string | undefined;
}

/** Nest's own marks of a route handler (the `path` and `method` of `@Get()`, `@Post()`…). */
const ROUTE_PATH = 'path';
const ROUTE_METHOD = 'method';

/**
 * The declarations of the app, compiled by the guard once: every controller's handlers when the module
 * starts (a bad declaration is a `TypeError` then, and each declared action is in the resource's RFC 9728
 * metadata from the first request on), and any declaration the guard meets later (a controller added by
 * a dynamic module) on its first request.
 *
 * @example
 * const report = app.get(AapDeclarations).routes();
 * for (const r of report) if (r.status === 'undeclared') console.warn(`${r.controller}.${r.handler} is refused`);
 */
@Injectable()
export class AapDeclarations implements OnModuleInit {
  readonly #compiled = new WeakMap<RouteMetadata, CompiledRoute>();
  #report: readonly AapRouteReport[] = [];

  constructor(
    @Inject(AAP_ADAPTER) private readonly adapter: NestAdapter,
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(MetadataScanner) private readonly scanner: MetadataScanner,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {}

  /** The compiled route of an `@AapAction` declaration. */
  route(declared: DeclaredAction): CompiledRoute {
    let route = this.#compiled.get(declared);
    if (!route) this.#compiled.set(declared, (route = this.adapter.guard.route(declared.spec)));
    return route;
  }

  /** Every route handler of the app's controllers, and what the guard does with it. */
  routes(): readonly AapRouteReport[] {
    return this.#report;
  }

  onModuleInit(): void {
    const report: AapRouteReport[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const type = wrapper.metatype as (Function & { prototype: Record<string, unknown> }) | null;
      if (!type || !wrapper.instance) continue;
      for (const name of this.scanner.getAllMethodNames(type.prototype)) {
        const handler = type.prototype[name];
        if (typeof handler !== 'function' || this.reflector.get(ROUTE_PATH, handler) === undefined) continue;
        const declared = this.reflector.getAllAndOverride<RouteMetadata | undefined>(AAP_ROUTE, [handler, type]);
        const compiled = declared?.kind === 'action' ? this.route(declared) : undefined; // TypeError now, at startup
        const status = declared === undefined ? 'undeclared' : compiled ? 'declared' : 'public';
        const action = declared?.kind === 'action' ? declared.spec.action : undefined;
        const method = RequestMethod[this.reflector.get<RequestMethod>(ROUTE_METHOD, handler) ?? RequestMethod.GET];
        const admission =
          status === 'public'
            ? {}
            : routeAdmission(this.adapter.guard, status, compiled, method, this.adapter.undeclared);
        report.push({ controller: type.name, handler: name, method, status, action, ...admission });
      }
    }
    this.#report = Object.freeze(report);
  }
}
