import type { Decision } from '@aap-guard/core';
import { AapDenyError, denyResponse, writeDeny, type AdapterSettings } from '@aap-guard/core/node';
import type { Context } from 'koa';

/**
 * Answer a deny the way the app asked: as the response (default), or thrown as an `AapDenyError` for the
 * app's error middleware and Koa's own handler (`denyAs: 'error'`; it has `status`, `expose` and the
 * `headers` Koa's handler sets). Either way the decision's headers (WWW-Authenticate, Retry-After,
 * DPoP-Nonce, `Cache-Control: no-store`) go out. If the response was already started, the socket is
 * destroyed instead, so a truncated response never passes for a complete one.
 */
export function respondDeny(adapter: AdapterSettings<Context>, ctx: Context, decision: Decision): void {
  if (ctx.headerSent || !ctx.writable) {
    ctx.respond = false;
    ctx.res.destroy();
    return;
  }
  const { status, headers, body } = denyResponse(decision, adapter.formatDeny);
  if (adapter.denyAs === 'error') {
    const { 'content-type': _type, ...kept } = headers;
    ctx.set(kept);
    throw new AapDenyError(decision, { status, headers, body });
  }
  ctx.status = status;
  ctx.set(headers);
  ctx.body = typeof body === 'string' ? body : Buffer.from(body);
}

/**
 * A deny where only a throw stops what comes next (a router about to dispatch a route): the error to throw.
 * With `denyAs: 'error'` it is the app's to answer (the decision's headers are set); otherwise the deny is
 * written to the socket first, so whatever an error middleware does with the error, the client gets the
 * deny and nothing else (Koa's own handler only reports it: `expose`, the response already ended).
 */
export function denyThrown(adapter: AdapterSettings<Context>, ctx: Context, decision: Decision): AapDenyError {
  const response = denyResponse(decision, adapter.formatDeny);
  const error = new AapDenyError(decision, response);
  if (adapter.denyAs === 'error' && !ctx.headerSent && ctx.writable) {
    const { 'content-type': _type, ...kept } = response.headers;
    ctx.set(kept);
    return error;
  }
  ctx.respond = false;
  writeDeny(ctx.res, response); // or, when the response was started already, the socket destroyed
  return error;
}
