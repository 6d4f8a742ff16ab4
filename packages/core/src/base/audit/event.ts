import type { WouldDeny } from '../deny/would-deny.js';

/**
 * One audit event per decision (README "Audit events"). Carries a hash of the token, never the token.
 */
export interface AuditEvent {
  /** ISO 8601 time of the decision. */
  readonly time: string;
  readonly decision: 'allow' | 'deny';
  readonly status: number;
  readonly error?: string | undefined;
  readonly reason?: string | undefined;
  /** Internal detail: which check, which constraint, which value. Never sent to the client. */
  readonly detail?: Readonly<Record<string, unknown>> | undefined;
  /**
   * What report-only policies (`GuardOptions.reportOnly`) would have denied, in check order, with their
   * reason and detail — on an allow as on a deny. Absent when nothing would have been denied.
   */
  readonly wouldDeny?: readonly WouldDeny[] | undefined;
  readonly action?: string | undefined;
  readonly agent?: { readonly id?: string; readonly type?: string; readonly operator?: string } | undefined;
  readonly task?: { readonly id?: string; readonly purpose?: string } | undefined;
  readonly iss?: string | undefined;
  readonly sub?: string | undefined;
  readonly jti?: string | undefined;
  /** base64url SHA-256 of the access token. */
  readonly tokenHash?: string | undefined;
  readonly delegation?: { readonly depth?: number; readonly chain?: readonly string[] } | undefined;
  /** `audit.trace_id` from the token, else the W3C `traceparent` trace id. */
  readonly traceId?: string | undefined;
  /**
   * The request's correlation id: a well-formed `X-Request-Id` (1–128 of `A-Z a-z 0-9 . _ : @ / + = ~ -`),
   * else the W3C `traceparent` trace id, else one generated here (unique per process and replica).
   * A malformed header is ignored, never echoed.
   */
  readonly requestId?: string | undefined;
  /** The client address after trusted-proxy resolution (`options.trustProxy`), when known. */
  readonly clientIp?: string | undefined;
  /** The token's `grant_id` claim (a non-AAP claim some authorization servers add), for revocation by grant. */
  readonly grantId?: string | undefined;
  readonly method: string;
  readonly path: string;
  /** Milliseconds spent in the guard. */
  readonly latencyMs: number;
  /**
   * What the event records: a request decision (also when absent), or an operation on a hold or a
   * revocation. For those, `decision` is `deny` for created/denied/revoked and `allow` for
   * approved/consumed, `status` is 200 (the operation happened), and `method`/`path` are the held
   * request's (holds) or empty (revocations). `enforcement`: a limit enforced after an allowed decision
   * (a body that grew over `max_request_size`, a response cut off at `max_response_size`) — the request's
   * decision event came first. `key`: a signing key distrusted (`decision` deny) or trusted again (`allow`)
   * by the operator (`guard.keys`), with `iss` its issuer and `key.kid` the key.
   */
  readonly kind?: 'decision' | 'hold' | 'revocation' | 'enforcement' | 'key' | undefined;
  /** The operation of a `hold`, `revocation` or `key` event. */
  readonly operation?:
    'created' | 'approved' | 'denied' | 'consumed' | 'revoked' | 'distrusted' | 'trusted' | undefined;
  /** The signing key concerned (key events). */
  readonly key?: { readonly kid: string } | undefined;
  /** Who acted: the approver or revoker, or the agent for a hold's creation and consumption. */
  readonly actor?: string | undefined;
  /** The hold concerned (hold events, and decisions that created or consumed one). */
  readonly hold?: { readonly id: string; readonly status: string; readonly expiresAt: string } | undefined;
  /** The revocation concerned (revocation events). */
  readonly revocation?: { readonly kind: string; readonly value: string; readonly until: string } | undefined;
}
