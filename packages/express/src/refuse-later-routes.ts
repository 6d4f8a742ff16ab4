import { watchAssignments, type AssignmentHook, type NodeFlow, type AdapterSettings } from '@aap-guard/core/node';
import type { Request } from 'express';
import { denyError } from './respond.js';

/**
 * `denyAs: 'error'` hands a deny to the app's error handler, and an error handler that calls `next()`
 * resumes routing. A request this guard refused stays refused whatever that handler does: every route the
 * resumed routing reaches — declared, undeclared or public — refuses it again, with the same decision,
 * before its first handler runs (its declarations do too, through the flow's own state).
 *
 * Express announces a route's dispatch by assigning `req.route` — once in the router, once more in the
 * route's `dispatch`, inside the try/catch of the route's layer: that second assignment throws the deny,
 * which Express turns into `next(err)` for the error handlers after the route. Plain middleware after the
 * error handler (`express.static`) is no route and is not announced.
 *
 * Returns what to call on each refused request: it watches `req.route` on the top-level app's request
 * prototype (sub-apps inherit it), once per app.
 */
export function refuseLaterRoutes(adapter: AdapterSettings<Request>, flow: NodeFlow): (req: Request) => void {
  const hook: AssignmentHook = (target, value, previous) => {
    // The router's assignment: the route's own dispatch repeats it, inside a try/catch: throw there.
    if (value !== previous) return;
    const req = target as Request;
    const decision = flow.refusal(req);
    if (decision && req.res) throw denyError(adapter, req.res, decision);
  };
  return (req) => {
    let app = req.app as { parent?: unknown; request?: object } | undefined;
    while (app?.parent) app = app.parent as typeof app;
    const proto = app?.request ?? Object.getPrototypeOf(req);
    watchAssignments(proto, 'route', hook).adopt(req); // a route dispatched before the watch began: its value kept
  };
}
