/** Free names of @aap-guard/koa's `@example` blocks (scripts/check-examples.mjs). */
import type Router from '@koa/router';
import type { AapKoaMiddleware } from '@aap-guard/koa';
import type Koa from 'koa';

export declare const app: Koa;
export declare const ctx: Koa.Context;
export declare const next: Koa.Next;
export declare const router: Router;
/** `aapGuard(options)` */
export declare const aap: AapKoaMiddleware;
