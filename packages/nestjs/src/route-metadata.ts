import { type RouteSpec } from '@aap-guard/core';
import { isActionName } from '@aap-guard/core/node';
import { ROUTE_KEYS, checkKeys } from '@aap-guard/core/node';
import type { AapHttpRequest } from './http.js';

/** The metadata key under which `@AapAction` and `@AapPublic` leave a handler's (or a controller's) declaration. */
export const AAP_ROUTE = 'aap-guard:route';

/** `@AapAction` options: the route spec's fields, and where the target URL or host comes from. */
export interface AapActionOptions<Req = AapHttpRequest> extends Omit<RouteSpec, 'action'> {
  /**
   * The URL or host the request acts on (for `domains_allowed` / `domains_blocked`), e.g.
   * `(req) => req.query.url`. A value that is not one string is refused with 400 `request_invalid`.
   */
  readonly target?: ((request: Req) => unknown) | undefined;
}

/** What a handler or controller declares: an action (compiled by the guard at startup), or public. */
export type RouteMetadata = DeclaredAction | { readonly kind: 'public' };

/** What `@AapAction` records. */
export interface DeclaredAction {
  readonly kind: 'action';
  readonly spec: RouteSpec;
  readonly target: ((request: any) => unknown) | undefined;
}

/** The one `public` declaration (`@AapPublic()`). */
export const PUBLIC_ROUTE: RouteMetadata = Object.freeze({ kind: 'public' });

/**
 * The declaration `@AapAction(action, options)` records, checked as far as it can be without the guard
 * (the option keys, the action's syntax, `target`): a `TypeError` when the class is defined. The guard
 * compiles the spec when the app starts.
 *
 * @example
 * const declared = actionMetadata('cms.publish', { target: (req) => req.body?.url });
 */
export function actionMetadata(action: string, options: AapActionOptions<any> = {}): RouteMetadata {
  const where = `@AapAction('${String(action)}', options)`;
  if (typeof action !== 'string' || !isActionName(action)) {
    throw new TypeError(`${where}: the action must be an AAP action name such as 'cms.publish'`);
  }
  checkKeys(options, [...ROUTE_KEYS, 'target'], where);
  const { target, ...rest } = options;
  if (target !== undefined && typeof target !== 'function') {
    throw new TypeError(`${where}: options.target must be a function (request) => url`);
  }
  return Object.freeze({ kind: 'action', spec: Object.freeze({ ...rest, action }), target });
}
