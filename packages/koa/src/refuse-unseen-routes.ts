import { watchAssignments, type AssignmentHook, type NodeFlow, type AdapterSettings } from '@aap-guard/core/node';
import type { Context } from 'koa';
import { resolveDeclaration, type RouterLike } from './declared-routes.js';
import { denyThrown } from './respond.js';

/**
 * Deny-by-default for routers `app.use(aap)` cannot see — behind koa-mount's wrapper, inside a composed
 * sub-app — decided where the route would run. @koa/router announces a dispatch by assigning `ctx.router`
 * after matching, before any of the route's middleware runs; for a request this guard authenticated and
 * left open, that router is resolved there: a route no declaration (and no `aap.public()`) covers is
 * refused (403 `route_undeclared`) — written as the response, or thrown for the app's error handling with
 * `denyAs: 'error'` — and the throw stops the dispatch. A request whose route the guard resolved before it
 * let the request on (a router it sees) costs one state read and no resolution.
 *
 * Returns what to call, once per app, to put the watch on the app's context.
 */
export function refuseUnseenRoutes(
  adapter: AdapterSettings<Context>,
  flow: NodeFlow,
  sees: (ctx: Context, router: RouterLike) => boolean,
): (ctx: Context) => void {
  const hook: AssignmentHook = (target, value) => {
    const ctx = target as Context;
    const state = flow.state(ctx.req);
    if (state !== 'unresolved' && state !== 'open') return; // not authenticated by this guard, or decided already
    const router = value as RouterLike | undefined;
    if (typeof router?.match !== 'function') return;
    if (state === 'open' && sees(ctx, router)) return; // resolved with this router before the request went on
    // Without the `openApi` document: a route only the document declares is refused here (fail closed) — a
    // router behind koa-mount takes the document's declarations when mounted with `aap.router(router)`.
    if (resolveDeclaration(router, ctx, adapter.guard) !== 'undeclared') return; // a declaration decides, or no route
    const decision = flow.refuse(ctx.req, 'route_undeclared', { check: 'koa.undeclared', path: ctx.path });
    throw denyThrown(adapter, ctx, decision);
  };
  return (ctx) => watchAssignments(Object.getPrototypeOf(ctx) as object, 'router', hook).adopt(ctx);
}
