import type { Guard, Principal } from '@aap-guard/core';
import type { AapRouteConfig } from './options.js';
import type { RouteReport } from './declared-routes.js';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Set by `@aap-guard/fastify`: the guard behind the plugin (holds, revocations, admin plugin), and the
     * routes added after the plugin with what the guard does with each (declared, public, undeclared).
     */
    readonly aap: { readonly guard: Guard; routes(): readonly RouteReport[] };
  }

  interface FastifyRequest {
    /**
     * The verified AAP principal, set by the `onRequest` hook of `@aap-guard/fastify` on allow
     * (with `capability` and `action` on a declared route); `null` on an opted-out route.
     */
    aap: Principal | null;
  }

  interface FastifyContextConfig {
    /**
     * The AAP declaration of this route, read once when the route is registered: the action it
     * performs and the route spec (`{ action: 'search.web', target: (request) => … }`), or `false`
     * to opt the route out of the guard entirely (public routes such as health checks).
     */
    aap?: AapRouteConfig | false | undefined;
  }
}

export {};
