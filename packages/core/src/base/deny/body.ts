import { REASONS, type ReasonCode, type SpecError } from './reasons.js';

/** Deny body per RFC 6749 §5.2: generic description, stable reason, nothing about policy values. */
export interface DenyBody {
  readonly error: SpecError;
  readonly error_description: string;
  readonly reason: ReasonCode;
  readonly approval_reference?: string | undefined;
  readonly hold_id?: string | undefined;
}

/**
 * The public body of a deny (RFC 6749 §5.2 / RFC 6750 §3.1): the reason's spec error, its generic
 * description and the stable reason — never a constraint value, agent detail or policy — plus the members
 * a client needs to go on (a hold id, an approval reference).
 *
 * @example
 * denyBody('rate_limited') // { error: 'aap_constraint_violation', error_description: 'Rate limit exceeded…', reason:
 * // 'rate_limited' }
 */
export function denyBody(reason: ReasonCode, extra?: Pick<DenyBody, 'approval_reference' | 'hold_id'>): DenyBody {
  const row = REASONS[reason];
  return { error: row.error, error_description: row.description, reason, ...extra };
}
