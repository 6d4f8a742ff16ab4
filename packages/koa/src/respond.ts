import type { Decision } from '@aap-guard/core';
import type { Context } from 'koa';

/**
 * Answer with a deny `Decision` through Koa: its status, its headers (WWW-Authenticate,
 * Retry-After, RateLimit…), `Cache-Control: no-store` and the JSON body — the same bytes the
 * Express and Fastify adapters send (core `writeDeny`). If the response was already started, the
 * socket is destroyed instead, so a truncated response never passes for a complete one.
 *
 * @example
 * if (!decision.allowed) return respondDeny(ctx, decision);
 */
export function respondDeny(ctx: Context, decision: Pick<Decision, 'status' | 'headers' | 'body'>): false {
  if (ctx.headerSent || !ctx.writable) {
    ctx.respond = false;
    ctx.res.destroy();
    return false;
  }
  ctx.status = decision.status;
  ctx.set({ ...decision.headers, 'cache-control': 'no-store', 'content-type': 'application/json; charset=utf-8' });
  ctx.body = JSON.stringify(decision.body ?? {});
  return false;
}
