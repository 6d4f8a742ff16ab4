import {
  adapterDecision,
  enforceLimits,
  nodeRequestInfo,
  routeRequestInfo,
  trackRequestBody,
  type Decision,
  type Guard,
  type RequestInfo,
} from '@aap-guard/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DECLARED, type DeclaredRoute, type RouteConfigWithDeclaration } from './declare-route.js';
import { sendDeny } from './reply.js';

/**
 * The plugin's `onRequest` hook. Fastify has matched the route already, so a declared route is
 * authenticated AND authorized in one `guard.check(info, route)` (one pipeline run, one store call).
 * The hook holds no rule: it translates the request for the core and the `Decision` into the reply.
 * Any exception in this path becomes an audited 503 deny — never a 500, never an unhandled rejection.
 *
 * @example
 * fastify.addHook('onRequest', guardRequests(guard, 'deny'));
 */
export function guardRequests(guard: Guard, undeclared: 'allow' | 'deny') {
  return async function aapOnRequest(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    trackRequestBody(request.raw); // before any await: the body keeps arriving while the guard runs
    try {
      const config = (request.routeOptions.config ?? {}) as RouteConfigWithDeclaration;
      if (config.aap === false) return undefined; // opted out: a public route
      const decision = await decide(guard, undeclared, request, config);
      if (!decision.allowed) return sendDeny(reply, decision);
      request.aap = decision.principal ?? null;
      reply.headers(decision.headers); // RateLimit… on allowed responses too
      const proceed = enforceLimits(guard, request.raw, reply.raw, decision, { onRequestTooLarge: () => reply.hijack() });
      return proceed ? undefined : reply.hijack();
    } catch (error) {
      return fail(guard, request, reply, error);
    }
  };
}

async function decide(guard: Guard, undeclared: 'allow' | 'deny', request: FastifyRequest, config: RouteConfigWithDeclaration): Promise<Decision> {
  // `fastify.inject()` (light-my-request) builds a request without Node's `headersDistinct`.
  const headers = request.raw.headersDistinct ?? request.headers;
  const info = routeRequestInfo(request.raw, { params: request.params }, nodeRequestInfo(request.raw, { headers }));
  const declared = config[DECLARED];
  if (declared) return authorize(guard, declared, request, info);
  const authenticated = await guard.check(info); // undeclared, or no route at all (404): authenticate only
  if (!authenticated.allowed || undeclared === 'allow' || request.is404) return authenticated;
  // `config.aap` without a compiled declaration: a route registered before the plugin. Fail closed.
  const detail = { check: 'fastify.undeclared', route: config.aap ? 'registered before the plugin' : 'no config.aap' };
  return adapterDecision(guard, 'route_undeclared', { base: authenticated, detail });
}

async function authorize(guard: Guard, declared: DeclaredRoute, request: FastifyRequest, info: RequestInfo): Promise<Decision> {
  const target = declared.target ? declared.target(request) : undefined;
  if (target !== undefined && typeof target !== 'string') {
    // e.g. `?url=a&url=b` parsed to an array: never guess which one the handler will use
    const authenticated = await guard.check(info);
    if (!authenticated.allowed) return authenticated;
    const detail = { check: 'fastify.target', type: Array.isArray(target) ? 'array' : typeof target };
    return adapterDecision(guard, 'request_invalid', { base: authenticated, detail });
  }
  return guard.check(target === undefined ? info : { ...info, target }, declared.route);
}

function fail(guard: Guard, request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  try {
    const detail = { fault: error instanceof Error ? error.message : String(error) };
    return sendDeny(reply, adapterDecision(guard, 'internal_error', { method: request.method, path: request.url.split('?')[0], detail }));
  } catch {
    reply.raw.destroy();
    return reply.hijack();
  }
}
