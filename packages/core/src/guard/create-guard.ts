import { createEngine } from '../engine/engine.js';
import { registerEngine } from '../engine/registry.js';
import { holdsApi, type HoldsApi } from './holds-api.js';
import { traceCheck } from '../base/observe/trace-checks.js';
import {
  metadataDocument,
  resourceIdentifier,
  type ProtectedResourceMetadata,
} from '../concerns/metadata/resource-metadata.js';
import { resolveOptions } from '../options/resolve.js';
import { revoke, type RevocationKey, type RevokeOptions } from '../concerns/revocation/revoke.js';
import { keysApi, type KeysApi } from '../concerns/revocation/distrust.js';
import { compileRoute, ROUTE_KEYS, type CompiledRoute } from '../concerns/route/compile-route.js';
import type { Revocation } from '../base/stores/revocations.js';
import type { Decision } from '../base/types/decision.js';
import type { GuardOptions } from '../base/types/options.js';
import type { RequestInfo } from '../base/types/request.js';
import type { RouteSpec } from '../base/types/route.js';
import { ready, type ReadyOptions } from './readiness.js';
import { healthOf, type GuardHealth } from './health.js';
import { warmUpKeys } from '../concerns/token/warm-up.js';

/**
 * The guard: one per API, shared by every request and every adapter.
 */
export interface Guard {
  /**
   * Run the whole pipeline for one request. Without a route, only authenticates (steps 1–4, and the
   * DPoP proof is consumed). Never throws on client input: every outcome is a `Decision`.
   *
   * Declare routes once with `guard.route()` at startup. A plain route object is compiled on its first
   * use and remembered by identity (re-compiled if a field is reassigned), an action-only literal
   * (`{ action }`) by its action; a literal with more fields is compiled on every call.
   */
  check(request: RequestInfo, route?: RouteSpec | CompiledRoute): Promise<Decision>;
  /** Validate and freeze a route declaration once, at startup (its action joins `aap_actions_supported`). */
  route(spec: RouteSpec): CompiledRoute;
  /**
   * This resource's protected resource metadata (RFC 9728 §2) with the actions its routes declare; `origin`
   * (the request's) names the resource when no audience is an https URL. Adapters serve it.
   */
  resourceMetadata(origin?: string): ProtectedResourceMetadata;
  /**
   * The guard's clock (`options.now`, default `Date.now`), in ms: what a surface built on the guard (the
   * approval console) shows times against, so that a frozen test clock holds there too.
   */
  now(): number;
  /** `options.publicUrl`, parsed (an absolute URL's `href`); undefined when not configured. */
  readonly publicUrl: string | undefined;
  /** Release the store and timers (the background key fetch's retries included). */
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
  readonly revocations: {
    list(): Promise<readonly Revocation[]>;
    whenSynced(options?: { readonly timeoutMs?: number }): Promise<void>;
  };
  /**
   * Signing keys the operator distrusts (draft "Key Compromise Incident Response"): `distrust({ issuer, kid })`
   * refuses every token signed with that key (`key_distrusted`), cached or not, on every replica sharing the
   * store and across JWKS refreshes, until `trust({ issuer, kid })`; `list()` shows them.
   */
  readonly keys: KeysApi;
  /**
   * Get ready to serve within `timeoutMs` (default 10 s): discover metadata and fetch every issuer's
   * JWKS, and wait for the revocation list. Rejects with a `NotReadyError` naming each cause.
   */
  ready(options?: ReadyOptions): Promise<void>;
  /**
   * A health report for readiness probes (ready or not and why, JWKS age and last error per issuer,
   * revocation sync); fetches nothing. The keys are fetched in the background from `createGuard()` on
   * (`warmUp`), so it turns ready by itself.
   */
  health(): GuardHealth;
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
 * // The keys are fetched in the background from here on (`warmUp: false` turns that off); where start-up
 * // should wait for them:
 * await guard.ready({ timeoutMs: 5000 }); // keys fetched, revocation list read — or a NotReadyError naming why
 * const decision = await guard.check(
 *   { method: 'GET', url: 'https://api.example.com/v1/search', headers: { authorization: 'Bearer …' } },
 *   { action: 'search.web' },
 * );
 */
export function createGuard(options: GuardOptions): Guard {
  const setup = resolveOptions(options);
  const { settings, runtime } = setup;
  const engine = createEngine(setup);
  const actions = new Set<string>(); // declared through guard.route(): the metadata's aap_actions_supported
  const sources = runtime.token.keys.sources.map(({ source }) => source);
  const warmUp = settings.warmUp ? warmUpKeys(sources, runtime.now) : undefined;
  const routeOf = routeMemo();
  const checkOnce = (
    request: RequestInfo,
    route: RouteSpec | CompiledRoute | undefined,
  ): Decision | Promise<Decision> => {
    const compiled = route && routeOf(route);
    const stage = engine.begin(request);
    return stage instanceof Promise
      ? stage.then((begun) => engine.finish(begun, compiled))
      : engine.finish(stage, compiled);
  };
  const guard: Guard = {
    now: () => runtime.now(),
    publicUrl: settings.publicUrl?.href,
    route(spec) {
      const compiled = compileRoute(spec);
      actions.add(compiled.action);
      return compiled;
    },
    resourceMetadata: (origin = 'null') => metadataDocument(settings, resourceIdentifier(settings, origin), actions),
    check(request, route) {
      // Traced only when someone listens on `aap-guard:check` (base/observe/channels.ts): otherwise free.
      try {
        const decision = traceCheck('check', request, route, () => checkOnce(request, route));
        return decision instanceof Promise ? decision : Promise.resolve(decision);
      } catch (error) {
        return Promise.reject(error as Error); // an invalid route declaration (compileRoute's TypeError)
      }
    },
    async close() {
      warmUp?.stop();
      await runtime.close();
    },
    holds: holdsApi(setup),
    revoke: (key, revokeOptions) => revoke(setup, key, revokeOptions),
    keys: keysApi(setup),
    revocations: Object.freeze({
      list: () => runtime.revocation.store.snapshot(runtime.now()),
      whenSynced: (syncOptions) => runtime.revocation.local.whenSynced(syncOptions),
    }),
    ready: (readyOptions) => ready(runtime, readyOptions),
    health: () => healthOf(runtime),
  };
  registerEngine(guard, engine);
  return guard;
}

/** How many action-only route literals (`{ action }`) one guard remembers. */
const LITERAL_ROUTES = 256;

/**
 * `check(request, route)` with a plain route object: compiled once, not on every call. A route object
 * is remembered by identity (a WeakMap: it goes when the app drops it), and re-compiled only if one of its
 * declared fields was reassigned since (or its `purposes` changed length); an action-only literal
 * (`{ action: 'x' }`, a new object per call) by its action, in a small bounded map. Anything else — a
 * literal with more fields — is compiled per call, as before: `guard.route()` once at startup is the way.
 */
function routeMemo(): (spec: RouteSpec | CompiledRoute) => CompiledRoute {
  const byObject = new WeakMap<object, { readonly compiled: CompiledRoute; readonly purposes: number }>();
  const byAction = new Map<string, CompiledRoute>();
  return (spec) => {
    if ((spec as CompiledRoute).compiled === true) return spec as CompiledRoute;
    if (spec === null || typeof spec !== 'object') return compileRoute(spec); // its TypeError
    const known = byObject.get(spec);
    if (known !== undefined && sameDeclaration(spec, known.compiled, known.purposes)) return known.compiled;
    const literal = actionOnly(spec) ? spec.action : undefined;
    if (literal !== undefined) {
      const cached = byAction.get(literal);
      if (cached !== undefined) return cached;
    }
    const compiled = compileRoute(spec); // throws TypeError on a bad declaration: nothing remembered
    byObject.set(spec, { compiled, purposes: spec.purposes?.length ?? -1 });
    if (literal !== undefined) {
      if (byAction.size >= LITERAL_ROUTES) byAction.delete(byAction.keys().next().value as string);
      byAction.set(literal, compiled);
    }
    return compiled;
  };
}

/** The route object still declares what was compiled from it (no field reassigned, `purposes` as long). */
function sameDeclaration(spec: RouteSpec, compiled: CompiledRoute, purposes: number): boolean {
  for (const key of ROUTE_KEYS) if (spec[key] !== compiled[key]) return false;
  return (spec.purposes?.length ?? -1) === purposes;
}

/** `{ action: '…' }` and nothing else (an unknown key still meets compileRoute's TypeError). */
function actionOnly(spec: RouteSpec): spec is RouteSpec & { action: string } {
  let keys = 0;
  for (const key in spec) {
    keys += 1;
    if (key !== 'action' || keys > 1) return false;
  }
  return keys === 1 && typeof spec.action === 'string';
}
