import type { Guard } from '@aap-guard/core';
import type { Context, Middleware, Next } from 'koa';
import { adminRoutes, type AdminRoutesOptions } from './admin-routes.js';

/** Options of `aapAdmin()` of `@aap-guard/admin/koa`. */
export interface KoaAdminOptions extends AdminRoutesOptions<Context> {
  /** The guard whose holds and revocations are administered. */
  readonly guard: Guard;
  /** Path prefix the admin API answers under (default `/aap-admin`). */
  readonly prefix?: string | undefined;
  /** Largest JSON (or console form) body accepted in bytes (default 16384). */
  readonly bodyLimit?: number | undefined;
}

/**
 * Koa middleware for holds and revocations under `prefix`: `GET /holds`, `GET /holds/:id`,
 * `POST /holds/:id/approve`, `POST /holds/:id/deny`, `GET /revocations`, `POST /revocations`, `GET /keys`, `POST
 * /keys/distrust`, `POST /keys/trust`, and, with
 * `console`, the approval console's pages under `/console`. Other paths pass to `next()`. Every request
 * must pass your `authorize(ctx)`; without one, creating the middleware throws `TypeError` (it refuses
 * to mount). Mount it before `app.use(aap)`. Reads the body itself (JSON; the console's forms as text)
 * unless a body parser already set `ctx.request.body`.
 *
 * @example
 * import Koa from 'koa';
 * const app = new Koa();
 * app.use(aapAdmin({ guard, authorize: (ctx) => isAdmin(ctx), prefix: '/aap-admin', console: true }));
 */
export function aapAdmin(options: KoaAdminOptions): Middleware {
  const routes = adminRoutes(options?.guard as Guard, options, 'aapAdmin');
  const prefix = (options.prefix ?? '/aap-admin').replace(/\/+$/, '');
  if (!prefix.startsWith('/')) throw new TypeError("aapAdmin: options.prefix must start with '/'");
  const bodyLimit = options.bodyLimit ?? 16_384;
  if (!Number.isSafeInteger(bodyLimit) || bodyLimit < 1)
    throw new TypeError('aapAdmin: options.bodyLimit must be a positive integer');
  routes.mountedAt(prefix); // the console's approval links lead here
  return async (ctx: Context, next: Next) => {
    if (ctx.path !== prefix && !ctx.path.startsWith(`${prefix}/`)) return next();
    const body = ctx.method === 'POST' ? await readBody(ctx, bodyLimit) : undefined;
    const input = {
      method: ctx.method,
      path: ctx.path.slice(prefix.length),
      query: ctx.query,
      body,
      headers: ctx.headers,
      mount: prefix,
      secure: ctx.secure,
    };
    const reply =
      body === INVALID
        ? { status: 400, headers: { 'cache-control': 'no-store' }, json: { error: 'invalid_request' } }
        : await routes(ctx, input);
    ctx.status = reply.status;
    ctx.set(reply.headers as Record<string, string | string[]>);
    ctx.body = reply.text ?? reply.json;
  };
}

const INVALID = Symbol('invalid body');

/** The body: a body parser's, else read here — a form as its raw text (the core parses it), else JSON. */
async function readBody(ctx: Context, limit: number): Promise<unknown> {
  const parsed = (ctx.request as { body?: unknown }).body;
  if (parsed !== undefined) return parsed;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > limit) return INVALID;
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (ctx.is('application/x-www-form-urlencoded')) return text;
  if (size === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return INVALID;
  }
}
