import type { CheckContext } from './context.js';
import { deny, type Deny } from '../base/deny/deny.js';
import { scopeOf } from '../concerns/token/issuer-scope.js';
import type { HeldBody } from '../concerns/holds/hold-binding.js';

/**
 * The subject of the current request, as a hold records it and a retry must match it: who (the token, or
 * agent and task, within the token's issuer scope), the route's action, method, path and query of the
 * ORIGINAL URL, and the body's digest.
 *
 * Whenever the request has a body, the hold binds its digest — an approver approves THIS body, and an
 * approved retry with another body is another request. The body is read for it (`RequestInfo.body`,
 * supplied by the adapters: read alongside the app's own parser, never consumed) up to
 * `oversight.maxBodyBytes`; a larger one is refused (413). A body the guard cannot see (read by a parser
 * mounted before the guard that left no digest) refuses the action (`hold_body_unavailable`): never a
 * hold bound to method and path alone.
 *
 * With `content` (a hold is to be created and `oversight.preview` is on) the same read also yields the
 * body's bytes, for the hold's preview; they are not part of the binding.
 */
export async function holdSubject(
  ctx: CheckContext,
  match: 'token' | 'agent-task',
  content = false,
): Promise<HeldBody | Deny> {
  const claims = ctx.claims;
  const who =
    match === 'agent-task'
      ? `agent-task:${claims?.agent.id ?? ''}\u0000${claims?.task.id ?? ''}`
      : claims?.jti !== undefined
        ? `jti:${claims.jti}`
        : `token:${ctx.tokenHash ?? ''}`;
  const read = await bodyDigestOf(ctx, content);
  if ('reason' in read) return read;
  const url = URL.parse(ctx.request.url);
  const issuer = claims ? scopeOf(ctx.runtime.token.keys.scopes, claims.iss).id : '';
  const path = url ? url.pathname + url.search : '';
  const subject = {
    issuer,
    subject: who,
    action: ctx.route?.action ?? '',
    method: ctx.method,
    path,
    bodyDigest: read.digest,
  };
  return read.content === undefined ? subject : { ...subject, content: read.content };
}

async function bodyDigestOf(
  ctx: CheckContext,
  content: boolean,
): Promise<{ digest?: string | undefined; content?: Uint8Array | undefined } | Deny> {
  const { bodyDigest, body } = ctx.request;
  if (typeof bodyDigest === 'string' && bodyDigest.length > 0) return { digest: bodyDigest };
  if (!body) return hasBody(ctx) ? unavailable(ctx, 'no body reader and no bodyDigest given') : {};
  const max = ctx.settings.holds.maxBodyBytes;
  const read = await body.digest(max, content ? { content: true } : undefined);
  if (read.digest !== undefined) return read.bytes === 0 ? {} : { digest: read.digest, content: read.content };
  if ('empty' in read) return {};
  if (read.problem === 'too_large')
    return deny('request_too_large', {
      check: 'oversight',
      problem: 'body larger than oversight.maxBodyBytes',
      limit: max,
    });
  return unavailable(ctx, 'the body was read before the guard (a body parser mounted before it?)');
}

/** Whether the request declares a body: a non-zero Content-Length, or a transfer coding (RFC 9112 §6.3). */
function hasBody(ctx: CheckContext): boolean {
  return (
    (ctx.contentLength !== undefined && ctx.contentLength > 0) || ctx.request.headers['transfer-encoding'] !== undefined
  );
}

function unavailable(ctx: CheckContext, problem: string): Deny {
  ctx.runtime.holds.warnBodyUnavailable(problem);
  return deny('hold_body_unavailable', { check: 'oversight', problem });
}
