import type { DenyDetail } from './deny.js';
import type { PolicyName, ReasonCode, SpecError } from './reasons.js';

/**
 * A deny that a report-only policy (`GuardOptions.reportOnly`) did not enforce: what the client would have
 * seen (status, error, reason) and why (the check's detail). On `Decision.wouldDeny` and the audit event's
 * `wouldDeny`, never in a response.
 */
export interface WouldDeny {
  readonly policy: PolicyName;
  readonly reason: ReasonCode;
  readonly status: number;
  readonly error: SpecError;
  readonly detail?: DenyDetail | undefined;
}
