import { createHash, randomBytes } from 'node:crypto';

/** What a retry must present to match a hold, before hashing. */
export interface HoldSubject {
  /**
   * The token's issuer scope (`IssuerScope.id`): an approval given to one authorization server's agent is
   * never used by another's token, whatever `jti`, agent or task ids it carries.
   */
  readonly issuer: string;
  /** `jti:<jti>` (match `token`; a token without `jti` is identified by its hash), or `agent-task:<agent>\0<task>`. */
  readonly subject: string;
  readonly action: string;
  readonly method: string;
  /** Path and query of the ORIGINAL request URL: a retry to another path or query string is another request. */
  readonly path: string;
  /** base64url SHA-256 of the body; undefined when the request has no body. */
  readonly bodyDigest: string | undefined;
}

/** A hold's subject, with the body's bytes when they were asked for (a preview) and could be read; not bound. */
export type HeldBody = HoldSubject & { readonly content?: Uint8Array | undefined };

/**
 * The opaque binding stored on a hold: base64url SHA-256 over the JSON array of the subject's fields.
 *
 * @example
 * holdBinding({ issuer: 'pT3c0qH1m9Xz4kQe', subject: 'jti:j1', action: 'cms.publish', method: 'POST', path: '/v1/publish', bodyDigest: undefined }) // 'q3N1…'
 */
export function holdBinding(subject: HoldSubject): string {
  const fields = [subject.issuer, subject.subject, subject.action, subject.method, subject.path, subject.bodyDigest ?? ''];
  return createHash('sha256').update(JSON.stringify(fields)).digest('base64url');
}

/** Characters of a hold id that name its agent's partition (Redis Cluster slot). */
export const HOLD_TAG_LENGTH = 8;

/**
 * The partition of an agent's holds: the first 8 characters of base64url SHA-256 of the agent id. Every
 * hold id starts with it, so a store can find an agent's holds, budgets and indexes from the id alone —
 * in one Redis Cluster slot.
 *
 * @example
 * holdTag('agent-writer-01') // 'f1Qw9x0Z'
 */
export function holdTag(agentId: string): string {
  return createHash('sha256').update(agentId).digest('base64url').slice(0, HOLD_TAG_LENGTH);
}

/**
 * A new hold id: the agent's tag, then 144 random bits (base64url): 32 characters, unguessable.
 *
 * @example
 * newHoldId('agent-writer-01') // 'f1Qw9x0Zbq0N2y…'
 */
export function newHoldId(agentId: string): string {
  return holdTag(agentId) + randomBytes(18).toString('base64url');
}

/** Shape of hold ids this guard issues; anything else in `AAP-Hold-Id` matches no hold. */
export const HOLD_ID = /^[A-Za-z0-9_-]{32}$/;
