/**
 * A hook on assignments of one property: called after the value is stored, with the object assigned to, the
 * new value and the one before. It may throw, to stop the code that assigned (a router about to dispatch).
 */
export type AssignmentHook = (target: object, value: unknown, previous: unknown) => void;

/** What `watchAssignments` installed on one prototype, for one property. */
interface Watched {
  readonly slot: symbol;
  readonly hooks: AssignmentHook[];
  /** The prototype's own descriptor of the property before ours (another copy's accessor): kept, called first. */
  readonly before: PropertyDescriptor | undefined;
}

const WATCHED = new WeakMap<object, Map<string, Watched>>();

/** What `watchAssignments` returns. */
export interface Watch {
  /** Move an own property of `target` (set before the watch began) behind the accessor, without calling hooks. */
  adopt(target: object): void;
}

/**
 * Call `hook` whenever `property` is assigned on an object that inherits it from `proto` — a framework's
 * per-request object and the prototype it is made from (Koa's `ctx` and `app.context`, Express's `req` and
 * `app.request`) — where the framework announces a step by an assignment (a router about to dispatch:
 * Koa's `ctx.router = router`, Express's `req.route = route`). Reads return the value as before. One
 * accessor per prototype and property, whatever the number of hooks; an accessor that was there already
 * is kept and called first. An object that got its own property before the accessor was installed (a
 * request in flight) is adopted: the value moves behind the accessor, without calling the hooks.
 *
 * @example
 * // Express assigns `req.route` before a route's handlers run
 * watchAssignments(app.request, 'route', (target, route) => logger.debug({ route }, 'dispatching')).adopt(req);
 */
export function watchAssignments(proto: object, property: string, hook: AssignmentHook): Watch {
  let byProperty = WATCHED.get(proto);
  if (!byProperty) WATCHED.set(proto, (byProperty = new Map()));
  let watched = byProperty.get(property);
  if (!watched) {
    const before = Object.getOwnPropertyDescriptor(proto, property);
    watched = { slot: Symbol(`aap-guard.watched.${property}`), hooks: [], before };
    byProperty.set(property, watched);
    install(proto, property, watched);
  }
  if (!watched.hooks.includes(hook)) watched.hooks.push(hook);
  const { slot, before } = watched;
  return {
    adopt(target) {
      if (!Object.prototype.hasOwnProperty.call(target, property)) return;
      const value = (target as Record<string, unknown>)[property];
      delete (target as Record<string, unknown>)[property];
      if (before?.set) before.set.call(target, value);
      else (target as Record<symbol, unknown>)[slot] = value;
    },
  };
}

function install(proto: object, property: string, { slot, hooks, before }: Watched): void {
  const read = (target: object): unknown => {
    if (before?.get) return before.get.call(target);
    return slot in target ? (target as Record<symbol, unknown>)[slot] : before?.value;
  };
  Object.defineProperty(proto, property, {
    configurable: true,
    enumerable: before?.enumerable ?? false,
    get(this: object) {
      return read(this);
    },
    set(this: object, value: unknown) {
      const previous = read(this);
      if (before?.set) before.set.call(this, value);
      else (this as Record<symbol, unknown>)[slot] = value;
      for (const each of hooks) each(this, value, previous);
    },
  });
}
