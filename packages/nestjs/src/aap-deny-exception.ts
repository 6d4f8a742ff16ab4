import type { Decision, ReasonCode, SpecError } from '@aap-guard/core';
import type { DenyResponse } from '@aap-guard/core/node';
import { HttpException } from '@nestjs/common';

/**
 * A deny of the guard, thrown by the module's guard for Nest's exception layer. An `HttpException`: its
 * status is the deny's, its response the deny's body (RFC 6750 `error`, a generic `error_description`, the
 * stable `reason`, a `hold_id` for a held action) — so Nest never logs it as an error, and a filter of your
 * own for `HttpException` answers the right status and body. The deny's headers (WWW-Authenticate,
 * Retry-After, RateLimit, DPoP-Nonce, `Cache-Control: no-store`) are set on the response before it is
 * thrown, and on `headers`. `AapExceptionFilter` (registered by the module) writes `deny` exactly.
 *
 * @example
 * import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
 * import type { Response } from 'express';
 * import { AapDenyException } from '@aap-guard/nestjs';
 * @Catch(AapDenyException)
 * export class MyDenyFilter implements ExceptionFilter {
 *   catch(deny: AapDenyException, host: ArgumentsHost) {
 *     host.switchToHttp().getResponse<Response>().status(deny.getStatus()).json({ code: deny.reason });
 *   }
 * }
 */
export class AapDenyException extends HttpException {
  override readonly name = 'AapDenyException';
  /** The stable reason code (`credentials_missing`, `route_undeclared`, `approval_required`…). */
  readonly reason: ReasonCode;
  /** The spec error code (`invalid_token`, `aap_approval_required`…). */
  readonly error: SpecError;
  /** Every header of the deny, lower-case (`content-type` and `cache-control` included). */
  readonly headers: Readonly<Record<string, string>>;
  /** The deny as the guard answers it: status, headers, body (your `formatDeny`'s, if any). */
  readonly deny: DenyResponse;
  /** The guard's decision (its audit event has the detail). */
  readonly decision: Pick<Decision, 'status' | 'reason' | 'error' | 'headers' | 'body'>;
  /**
   * True when the guard already wrote this deny itself: a body found over the capability's
   * `max_request_size` once the request was allowed (413; the connection is closed). Write nothing then.
   */
  readonly written: boolean;

  constructor(decision: AapDenyException['decision'], response: DenyResponse, written = false) {
    super(publicBody(decision, response), decision.status, { description: decision.body?.error_description });
    this.reason = decision.reason ?? 'internal_error';
    this.error = decision.error ?? 'temporarily_unavailable';
    this.message = decision.body?.error_description ?? 'Request refused';
    this.headers = response.headers;
    this.deny = response;
    this.decision = decision;
    this.written = written;
  }
}

/** What `getResponse()` gives a generic filter: the deny's JSON body (a `formatDeny` body parsed back, when JSON). */
function publicBody(decision: AapDenyException['decision'], response: DenyResponse): Record<string, unknown> {
  if (typeof response.body === 'string' && response.headers['content-type']?.includes('json')) {
    try {
      const parsed: unknown = JSON.parse(response.body);
      if (parsed !== null && typeof parsed === 'object') return parsed as Record<string, unknown>;
    } catch {
      // not JSON after all: the decision's body below
    }
  }
  return { ...decision.body };
}
