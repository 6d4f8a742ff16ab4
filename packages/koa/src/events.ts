import { type Guard } from '@aap-guard/core';
import { securityEventReceiver, type SecurityEventOptions } from '@aap-guard/core/events';
import type { Context, Middleware, Next } from 'koa';

/** Options of `aapEvents()`. */
export interface KoaEventsOptions extends SecurityEventOptions<Context> {
  /** The guard whose revocations the events feed. */
  readonly guard: Guard;
  /** Path the receiver answers on (default `/aap-events`). */
  readonly path?: string | undefined;
}

/**
 * Koa middleware receiving Security Event Tokens pushed by the authorization server (RFC 8935) at `path`:
 * `POST`, `Content-Type: application/secevent+jwt`. Verified SETs that revoke tokens are applied with
 * `guard.revoke()` on every replica; the answer is 202, or `{ err, description }`. Other requests pass to
 * `next()`. Mount it before `app.use(aap)`: the transmitter is no agent. Reads the body itself unless a
 * body parser already set `ctx.request.body` to the text.
 *
 * @example
 * app.use(aapEvents({ guard: aap.guard, path: '/aap-events', authorize: (ctx) => ctx.get('authorization') === `Bearer
 * ${key}` }));
 */
export function aapEvents(options: KoaEventsOptions): Middleware {
  const { guard, path = '/aap-events', ...receiverOptions } = options ?? ({} as KoaEventsOptions);
  const receiver = securityEventReceiver<Context>(guard, receiverOptions);
  if (typeof path !== 'string' || !path.startsWith('/'))
    throw new TypeError("aapEvents: options.path must start with '/'");
  const limit = options.maxBytes ?? 65_536;
  return async (ctx: Context, next: Next) => {
    if (ctx.path !== path || ctx.method !== 'POST') return next();
    const body = await rawBody(ctx, limit);
    const result =
      body === TOO_LARGE
        ? {
            status: 413,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ err: 'invalid_request', description: 'the SET is too large' }),
          }
        : await receiver.push(ctx, { headers: ctx.headers, body });
    ctx.status = result.status;
    ctx.set(result.headers);
    ctx.body = result.body === '' ? null : result.body;
    if (result.status === 202) ctx.status = 202; // an empty body would turn it into 204
  };
}

const TOO_LARGE = Symbol('too large');

async function rawBody(ctx: Context, limit: number): Promise<string | typeof TOO_LARGE> {
  const parsed = (ctx.request as { body?: unknown }).body;
  if (typeof parsed === 'string') return parsed;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > limit) return TOO_LARGE;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
