import { adminApi, type AdminOptions, type Guard } from '@aap-guard/core';
import type { Context, Middleware, Next } from 'koa';

/** Options of `aapAdmin()`. */
export interface KoaAdminOptions extends AdminOptions<Context> {
  /** The guard whose holds and revocations are administered. */
  readonly guard: Guard;
  /** Path prefix the admin API answers under (default `/aap-admin`). */
  readonly prefix?: string | undefined;
  /** Largest JSON body accepted in bytes (default 16384). */
  readonly bodyLimit?: number | undefined;
}

/**
 * Koa middleware for holds and revocations under `prefix`: `GET /holds`, `GET /holds/:id`,
 * `POST /holds/:id/approve`, `POST /holds/:id/deny`, `GET /revocations`, `POST /revocations`. Other
 * paths pass to `next()`. Every request must pass your `authorize(ctx)`; without one, creating the
 * middleware throws `TypeError` (it refuses to mount). Mount it before `app.use(aap)`. Reads the JSON
 * body itself unless a body parser already set `ctx.request.body`.
 *
 * @example
 * app.use(aapAdmin({ guard: aap.guard, authorize: (ctx) => isAdmin(ctx), prefix: '/aap-admin' }));
 */
export function aapAdmin(options: KoaAdminOptions): Middleware {
  const api = adminApi(options?.guard as Guard, options, 'aapAdmin');
  const prefix = (options.prefix ?? '/aap-admin').replace(/\/+$/, '');
  if (!prefix.startsWith('/')) throw new TypeError("aapAdmin: options.prefix must start with '/'");
  const bodyLimit = options.bodyLimit ?? 16_384;
  if (!Number.isSafeInteger(bodyLimit) || bodyLimit < 1) throw new TypeError('aapAdmin: options.bodyLimit must be a positive integer');
  return async (ctx: Context, next: Next) => {
    if (ctx.path !== prefix && !ctx.path.startsWith(`${prefix}/`)) return next();
    const body = ctx.method === 'POST' ? await jsonBody(ctx, bodyLimit) : undefined;
    const result = body === INVALID ? { status: 400, body: { error: 'invalid_request' } } : await api(ctx, { method: ctx.method, path: ctx.path.slice(prefix.length), query: ctx.query, body });
    ctx.status = result.status;
    ctx.set('cache-control', 'no-store');
    ctx.body = result.body;
  };
}

const INVALID = Symbol('invalid body');

async function jsonBody(ctx: Context, limit: number): Promise<unknown> {
  const parsed = (ctx.request as { body?: unknown }).body;
  if (parsed !== undefined) return parsed;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > limit) return INVALID;
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return INVALID;
  }
}
