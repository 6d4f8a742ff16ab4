import type { AapClaims, Capability } from '../claims/model.js';
import type { AuditEvent } from '../audit/event.js';
import type { DenyBody } from '../deny/body.js';
import type { ReasonCode, SpecError } from '../deny/reasons.js';
import type { WouldDeny } from '../deny/would-deny.js';

/** The verified caller, attached by adapters as `req.aap` / `request.aap` / `ctx.state.aap`. */
export interface Principal {
  /** Normalized AAP claims of the verified token. */
  readonly claims: AapClaims;
  /** Scheme the token came with. */
  readonly scheme: 'Bearer' | 'DPoP';
  /** The capability that authorized the route's action, once a route was authorized. */
  readonly capability?: Capability | undefined;
  /** The action authorized, once a route was authorized. */
  readonly action?: string | undefined;
  /**
   * The declared target whose address `ip_ranges_allowed` checked (`constraints.ipRanges: 'destination'`),
   * when the authorizing capability has that constraint: connect to `address` (or one of `addresses`), not
   * to a fresh DNS answer for `host` — that one was not checked (DNS rebinding).
   */
  readonly destination?: Destination | undefined;
}

/** A route target's host and the addresses checked against `ip_ranges_allowed`. */
export interface Destination {
  /** The target's host (a name, or an IP literal without brackets). */
  readonly host: string;
  /** The first checked address: where to connect. */
  readonly address: string;
  /** Every address the resolver answered (the literal alone for an IP target); all were checked. */
  readonly addresses: readonly string[];
}

/** The principal of a request its route's declaration authorized: the capability and action are known. */
export interface AuthorizedPrincipal extends Principal {
  readonly capability: Capability;
  readonly action: string;
}

/**
 * The outcome of `guard.check()`: a value, never an exception.
 *
 * @example
 * const d = await guard.check(info, { action: 'search.web' });
 * if (!d.allowed) res.writeHead(d.status, d.headers).end(JSON.stringify(d.body));
 */
export interface Decision {
  readonly allowed: boolean;
  /** 200 on allow; 400 | 401 | 403 | 413 | 415 | 429 | 503 on deny. */
  readonly status: number;
  /** Spec error code on deny (RFC 6749 §5.2 / RFC 6750 §3.1 / AAP appendix C). */
  readonly error?: SpecError | undefined;
  /** Stable fine-grained reason code on deny. */
  readonly reason?: ReasonCode | undefined;
  /** Response headers to set (WWW-Authenticate, Retry-After, RateLimit…, DPoP-Nonce). */
  readonly headers: Readonly<Record<string, string>>;
  /** JSON body to send on deny; privacy-preserving. */
  readonly body?: DenyBody | undefined;
  /** Normalized claims (present on allow, and on denies after the token was verified). */
  readonly claims?: AapClaims | undefined;
  /** The verified principal (present on allow). */
  readonly principal?: Principal | undefined;
  /** Per-request response limits the adapter enforces (e.g. `max_response_size`). */
  readonly limits?: ResponseLimits | undefined;
  /**
   * Denies of report-only policies (`GuardOptions.reportOnly`) that this request met and that were not
   * enforced, in check order; absent when none. Also on an allow: that is the point of report-only.
   */
  readonly wouldDeny?: readonly WouldDeny[] | undefined;
  /** The audit event emitted for this decision. */
  readonly audit: AuditEvent;
}

/** Limits the adapter enforces while streaming. */
export interface ResponseLimits {
  /** Cut the response off after this many bytes. */
  readonly maxResponseSize?: number | undefined;
  /** Abort the request body after this many bytes (no Content-Length sent). */
  readonly maxRequestSize?: number | undefined;
}
