import type { Check, CheckContext, Deny } from './checks/context.js';
import { deny } from './checks/context.js';
import { decide } from './deny/decision.js';
import { resolveOptions, type ResolvedOptions } from './options/resolve.js';
import { AUTHENTICATE, AUTHORIZE, CONSUME_ONLY } from './pipeline.js';
import { compileRoute, type CompiledRoute } from './route.js';
import type { Decision, GuardOptions, RequestInfo, RouteSpec } from './types.js';
import { InfrastructureError } from './util/errors.js';
import { checkChannel } from './observe/channels.js';
import { holdsApi, type HoldsApi } from './holds/holds-api.js';
import { revoke, type RevocationKey, type RevokeOptions } from './revocation/revoke.js';
import type { Revocation } from './stores/revocations.js';

/**
 * The guard: one per API, shared by every request and every adapter.
 */
export interface Guard {
  /**
   * Run the whole pipeline for one request. Without a route, only authenticates (steps 1–4).
   * Never throws on client input: every outcome is a `Decision`.
   */
  check(request: RequestInfo, route?: RouteSpec | CompiledRoute): Promise<Decision>;
  /** Steps 1–4 only (adapters' global middleware); consumes the DPoP proof's `jti`. */
  authenticate(request: RequestInfo): Promise<Decision>;
  /** Steps 5–8 for a request that `authenticate()` already allowed. */
  authorize(request: RequestInfo, route: RouteSpec | CompiledRoute, authenticated: Decision): Promise<Decision>;
  /** Validate and freeze a route declaration once, at startup. */
  route(spec: RouteSpec): CompiledRoute;
  /** The resolved, frozen options (read-only; for adapters). */
  readonly options: ResolvedOptions;
  /** Release the store and timers. */
  close(): Promise<void>;
  /** Human-oversight holds: get, list, approve, deny. */
  readonly holds: HoldsApi;
  /**
   * Revoke tokens by `jti`, task, grant, agent, parent token, user (`sub`) or agent operator, of every
   * trusted issuer or of those named by `key.issuer`, on every replica sharing the store; resolves once
   * persisted. Default `until`: now + `options.revocation.defaultTtl`.
   */
  revoke(key: RevocationKey, options?: RevokeOptions): Promise<readonly Revocation[]>;
  /**
   * The revocations in force, and a promise of this replica's local copy being in sync — await it before
   * serving. `whenSynced({ timeoutMs })` rejects after `timeoutMs` with an error naming the cause (e.g. the
   * store's connection error); without it, it waits as long as it takes. It rejects once the guard is closed.
   */
  readonly revocations: { list(): Promise<readonly Revocation[]>; whenSynced(options?: { readonly timeoutMs?: number }): Promise<void> };
}

/**
 * Create a guard. Validates every option once; throws `TypeError` naming the option on misconfiguration.
 *
 * @example
 * import { createGuard } from '@aap-guard/core';
 * const guard = createGuard({
 *   issuer: 'https://as.example.com',
 *   audience: 'https://api.example.com',
 *   jwks: { uri: 'https://as.example.com/jwks' },
 * });
 * const decision = await guard.check(
 *   { method: 'GET', url: 'https://api.example.com/v1/search', headers: { authorization: 'Bearer …' } },
 *   { action: 'search.web' },
 * );
 */
export function createGuard(options: GuardOptions): Guard {
  const resolved = resolveOptions(options);
  const context = (request: RequestInfo, route: CompiledRoute | undefined): CheckContext => ({
    request,
    method: typeof request.method === 'string' ? request.method.toUpperCase() : '',
    route,
    options: resolved,
    now: resolved.now(),
    headers: {},
    detail: {},
  });

  // A caller-built request of the wrong shape is client input too: a 400, never a throw.
  const malformed = (route: CompiledRoute | undefined, started: number) =>
    decide(context(MALFORMED_REQUEST, route), deny('request_invalid', { problem: 'malformed RequestInfo' }), started);

  const checkOnce = async (request: RequestInfo, route: RouteSpec | CompiledRoute | undefined): Promise<Decision> => {
    const started = performance.now();
    const compiled = route && compileRoute(route);
    if (!isRequestInfo(request)) return malformed(compiled, started);
    const ctx = context(request, compiled);
    const outcome = (await run(ctx, AUTHENTICATE)) ?? (await run(ctx, route ? AUTHORIZE : CONSUME_ONLY));
    return decide(ctx, outcome, started);
  };

  return {
    options: resolved,
    route: compileRoute,
    check(request, route) {
      // Traced only when someone listens on `aap-guard:check` (observe/channels.ts): otherwise free.
      return checkChannel.hasSubscribers ? checkChannel.tracePromise(() => checkOnce(request, route), { request, route }) : checkOnce(request, route);
    },
    async authenticate(request) {
      const started = performance.now();
      if (!isRequestInfo(request)) return malformed(undefined, started);
      const ctx = context(request, undefined);
      const outcome = (await run(ctx, AUTHENTICATE)) ?? (await run(ctx, CONSUME_ONLY));
      return decide(ctx, outcome, started);
    },
    async authorize(request, route, authenticated) {
      const started = performance.now();
      const compiled = compileRoute(route);
      if (!isRequestInfo(request)) return malformed(compiled, started);
      const ctx = context(request, compiled);
      const principal = authenticated.principal;
      if (!authenticated.allowed || !principal) return decide(ctx, deny('credentials_missing'), started);
      ctx.claims = principal.claims;
      // Keep the scheme: the principal reports it, and a 401 from here must challenge with it.
      ctx.credentials = { token: '', scheme: principal.scheme, proofs: [] };
      ctx.tokenHash = authenticated.audit.tokenHash;
      ctx.replayConsumed = true;
      return decide(ctx, await run(ctx, AUTHORIZE), started);
    },
    async close() {
      resolved.revocation.local.close();
      await resolved.store.close?.();
    },
    holds: holdsApi(resolved),
    revoke: (key, revokeOptions) => revoke(resolved, key, revokeOptions),
    revocations: Object.freeze({
      list: () => resolved.revocation.store.snapshot(resolved.now()),
      whenSynced: (syncOptions) => resolved.revocation.local.whenSynced(syncOptions),
    }),
  };
}

const MALFORMED_REQUEST: RequestInfo = Object.freeze({ method: '', url: '', headers: Object.freeze({}) });

/** The fields every check relies on have the types `RequestInfo` promises. */
function isRequestInfo(request: unknown): request is RequestInfo {
  if (request === null || typeof request !== 'object') return false;
  const { method, url, headers } = request as Record<string, unknown>;
  return typeof method === 'string' && typeof url === 'string' && headers !== null && typeof headers === 'object';
}

/** Run checks in order; the first deny wins. A thrown error is an infrastructure fault or a defect: fail closed. */
async function run(ctx: CheckContext, checks: readonly Check[]): Promise<Deny | undefined> {
  try {
    for (const check of checks) {
      let outcome = check(ctx);
      if (outcome instanceof Promise) outcome = await outcome;
      if (outcome) return outcome;
    }
    return undefined;
  } catch (error) {
    if (error instanceof InfrastructureError) return deny(error.reason, { fault: error.message }, { headers: { 'retry-after': '5' } });
    return deny('internal_error', { fault: error instanceof Error ? error.message : String(error) });
  }
}
