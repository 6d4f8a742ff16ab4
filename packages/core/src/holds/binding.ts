import { createHash, randomBytes } from 'node:crypto';
import type { CheckContext } from '../checks/context.js';

/** What a retry must present to match a hold, before hashing. */
export interface HoldSubject {
  /** `jti:<jti>` (match `token`; a token without `jti` is identified by its hash), or `agent-task:<agent>\0<task>`. */
  readonly subject: string;
  readonly action: string;
  readonly method: string;
  /** Path and query: a retry to another query string is another request. */
  readonly path: string;
  readonly bodyDigest: string | undefined;
}

/**
 * The subject of the current request, as a hold records it.
 *
 * @example
 * const subject = holdSubject(ctx, 'token');
 */
export function holdSubject(ctx: CheckContext, match: 'token' | 'agent-task'): HoldSubject {
  const claims = ctx.claims;
  const who =
    match === 'agent-task'
      ? `agent-task:${claims?.agent.id ?? ''}\u0000${claims?.task.id ?? ''}`
      : claims?.jti !== undefined
        ? `jti:${claims.jti}`
        : `token:${ctx.tokenHash ?? ''}`;
  const url = URL.canParse(ctx.request.url) ? new URL(ctx.request.url) : undefined;
  const digest = ctx.request.bodyDigest;
  return {
    subject: who,
    action: ctx.route?.action ?? '',
    method: ctx.method,
    path: url ? url.pathname + url.search : '',
    bodyDigest: typeof digest === 'string' && digest.length > 0 ? digest : undefined,
  };
}

/**
 * The opaque binding stored on a hold: base64url SHA-256 over the JSON array of the subject's fields.
 *
 * @example
 * holdBinding(holdSubject(ctx, 'token')) // 'q3N1…'
 */
export function holdBinding(subject: HoldSubject): string {
  const fields = [subject.subject, subject.action, subject.method, subject.path, subject.bodyDigest ?? ''];
  return createHash('sha256').update(JSON.stringify(fields)).digest('base64url');
}

/**
 * A new hold id: 192 random bits, base64url (32 characters).
 *
 * @example
 * newHoldId() // 'bq0N2y…'
 */
export function newHoldId(): string {
  return randomBytes(24).toString('base64url');
}

/** Shape of hold ids this guard issues; anything else in `AAP-Hold-Id` matches no hold. */
export const HOLD_ID = /^[A-Za-z0-9_-]{32}$/;
