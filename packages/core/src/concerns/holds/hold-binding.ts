import { createHash } from 'node:crypto';

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
 * holdBinding({ issuer: 'pT3c0qH1m9Xz4kQe', subject: 'jti:j1', action: 'cms.publish', method: 'POST', path:
 * '/v1/publish', bodyDigest: undefined }) // 'q3N1…'
 */
export function holdBinding(subject: HoldSubject): string {
  const fields = [
    subject.issuer,
    subject.subject,
    subject.action,
    subject.method,
    subject.path,
    subject.bodyDigest ?? '',
  ];
  return createHash('sha256').update(JSON.stringify(fields)).digest('base64url');
}
