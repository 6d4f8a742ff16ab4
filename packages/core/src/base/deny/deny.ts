import type { ReasonCode } from './reasons.js';

/**
 * What a deny records for the audit event (never for the client). `check` names the pipeline step that
 * denied: the engine stamps it from the pipeline's own list, so a check never writes its own name — a
 * step made of several parts may name the part instead (`'dpop'`, `'mtls'`, `'store'`).
 */
export interface DenyDetail {
  readonly check?: string | undefined;
  readonly [member: string]: unknown;
}

/** A deny, returned (never thrown) by a check. `detail` goes to the audit event only. */
export interface Deny {
  readonly reason: ReasonCode;
  readonly detail?: DenyDetail | undefined;
  /** Extra response headers (e.g. Retry-After, DPoP-Nonce). */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** Extra body members that the client needs (approval reference, hold id). */
  readonly body?: { readonly approval_reference?: string; readonly hold_id?: string } | undefined;
}

/**
 * Build a deny.
 *
 * @example
 * const expired = deny('token_expired', { claim: 'exp' });
 */
export const deny = (reason: ReasonCode, detail?: DenyDetail, extra?: Omit<Deny, 'reason' | 'detail'>): Deny => ({
  reason,
  detail,
  ...extra,
});
