import { PUBLIC, resolveDeclaration } from './declared-routes.js';
import type { Dispatch, Document, Resolution, RouterLike, RoutingInput } from './declared-routes.js';

/**
 * What `app.use(aap)` finds of a request's route: a `Resolution`, or `unknown` — no router it can see
 * matches, but middleware it cannot see into (koa-mount's wrapper, a composed sub-app) comes after it,
 * so a route may still run: the request is held open and that route is resolved when it dispatches.
 */
export type AppResolution = Resolution | 'unknown';

/** What comes after one guard's middleware in an app: the routers it sees, and whether anything else. */
export interface MountedAfter {
  /** `app.middleware.length` when this was read (Koa only ever appends). */
  readonly length: number;
  /** The routers mounted after the guard (`app.use(router.routes())`, `app.use(aap.router(router))`). */
  readonly routers: readonly RouterLike[];
  /** Some middleware after the guard is not a router's dispatch: a route may hide inside it. */
  readonly opaque: boolean;
  /** The router dispatch watch of this guard is on the app's context. */
  watched: boolean;
  /** An `aap.public()` mounted as app middleware (`app.use(aap.public())`), where no guard can see it: a mistake. */
  readonly misplaced: boolean;
}

/** The routers mounted after one guard's middleware, per app. */
export interface AppRoutes {
  /** What comes after `self` in `app` (cached; read again when the app's middleware list grows). */
  after(app: { readonly middleware?: readonly unknown[] }, self: unknown): MountedAfter;
  /** What the first router mounted after the guard that matches the request says about it. */
  resolve(mounted: MountedAfter, ctx: RoutingInput): AppResolution;
}

/**
 * The app resolution of one guard's middleware — its own cache, so that two guards in one app each see
 * what is mounted after THEM. The app's own `app.use(router.routes())` mounts are found through
 * `app.middleware`, so no special mount is needed.
 */
export function appRoutes(guard: object, document?: Document): AppRoutes {
  const perApp = new WeakMap<object, MountedAfter>();
  return {
    after(app, self) {
      const list = Array.isArray(app.middleware) ? app.middleware : [];
      let entry = perApp.get(app);
      if (!entry || entry.length !== list.length) {
        const after = list.slice(list.indexOf(self) + 1) as Dispatch[];
        const isRouter = (router: RouterLike | undefined): router is RouterLike => typeof router?.match === 'function';
        const routers = after.map((fn) => fn?.router).filter(isRouter);
        const opaque = routers.length < after.length;
        const misplaced = list.some((fn) => isPublic(fn));
        entry = { length: list.length, routers, opaque, watched: entry?.watched ?? false, misplaced };
        perApp.set(app, entry);
      }
      return entry;
    },
    resolve(mounted, ctx) {
      for (const router of mounted.routers) {
        const resolution = resolveDeclaration(router, ctx, guard, document);
        if (resolution !== 'none') return resolution;
      }
      return mounted.opaque ? 'unknown' : 'none';
    },
  };
}

/** An `aap.public()` marker. */
export const isPublic = (fn: unknown): boolean =>
  typeof fn === 'function' && (fn as { readonly [PUBLIC]?: true })[PUBLIC] === true;

/**
 * `aap.public()` in `app.use()`: Koa runs app middleware in order with no paths, so no guard can tell what it
 * opts out — it would be silently ignored. A route opts out with `router.get(path, aap.public(), handler)`;
 * static files and other app middleware go before `app.use(aap)`, or are left out with the `skip` option.
 */
export function misplacedPublic(): TypeError {
  return new TypeError(
    'aap.public() is mounted with app.use(): Koa app middleware has no route the guard could opt out. ' +
      'Opt a route out with router.get(path, aap.public(), handler); mount static files before app.use(aap), or leave them out with the skip option',
  );
}
