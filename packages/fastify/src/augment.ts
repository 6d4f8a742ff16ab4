import type { Guard, Principal } from '@aap-guard/core';
import type { HealthRouteOptions } from '@aap-guard/core/node';
import type { AapRouteConfig } from './options.js';
import type { RouteReport } from './declared-routes.js';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** What `@aap-guard/fastify` decorates the instance with (`app.aap`). */
export interface AapDecoration {
  /** The guard behind the plugin (holds, revocations, admin plugin). */
  readonly guard: Guard;
  /** The routes added after the plugin, and what the guard does with each (declared, public, undeclared). */
  routes(): readonly RouteReport[];
  /**
   * A readiness handler: `app.get('/ready', { config: { aap: false } }, app.aap.health)` — 200
   * `{ "status": "ready" }` or 503 `{ "status": "not_ready", "reason": "keys_unavailable" }`;
   * `app.aap.health({ detail: true })` is one that adds `guard.health()` (JWKS URLs, last fetch errors),
   * for an internal route only.
   */
  readonly health: AapHealth;
}

/** `app.aap.health`: the public readiness handler, or called with options, a handler with those. */
export interface AapHealth {
  (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply>;
  (options: HealthRouteOptions): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Set by `@aap-guard/fastify`: the guard, the route report, a readiness handler. */
    readonly aap: AapDecoration;
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
