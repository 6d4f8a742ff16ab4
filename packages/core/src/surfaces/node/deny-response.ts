import type { Decision } from '../../base/types/decision.js';

/** A deny as the client receives it: status, every header (challenge, Retry-After, DPoP-Nonce, no-store…), body. */
export interface DenyResponse {
  readonly status: number;
  /** Lower-case names; always `content-type` and `cache-control: no-store`. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Uint8Array;
}

/**
 * Your own deny body (problem+json, a JSON-RPC error, your API's error envelope): receives the
 * `Decision`, returns the body (a string or bytes are sent as they are, anything else as JSON) and its
 * media type (default `application/json; charset=utf-8`). The decision's headers are sent whatever you return.
 *
 * @example
 * const problemJson: DenyFormatter = (d) => ({
 *   type: 'application/problem+json',
 *   body: { type: `https://errors.example.com/${d.reason}`, title: d.body?.error_description, status: d.status },
 * });
 */
export type DenyFormatter = (decision: Decision) => { readonly body: unknown; readonly type?: string | undefined };

/**
 * The response of a deny, built the same way for every adapter and every path (written directly or handed
 * to the framework's error handling): the decision's headers plus `Cache-Control: no-store`, and the
 * default JSON body or your formatter's.
 *
 * @example
 * const { status, headers, body } = denyResponse(decision);
 */
export function denyResponse(
  decision: Pick<Decision, 'status' | 'headers' | 'body'>,
  format?: DenyFormatter,
): DenyResponse {
  const shaped = format ? format(decision as Decision) : undefined;
  const payload = shaped ? shaped.body : (decision.body ?? {});
  const body = typeof payload === 'string' || payload instanceof Uint8Array ? payload : JSON.stringify(payload);
  const type = shaped?.type ?? 'application/json; charset=utf-8';
  return {
    status: decision.status,
    headers: Object.assign({}, decision.headers, { 'content-type': type, 'cache-control': 'no-store' }),
    body,
  }; // no spread on hot paths: docs/ARCHITECTURE.md "Performance"
}

/**
 * A deny handed to the framework's own error handling (adapters' `denyAs: 'error'`): Express `next(err)`,
 * thrown in Koa, Fastify's `setErrorHandler`. Carries what a handler needs — `status` (and `statusCode`,
 * `expose` for Koa and http-errors conventions), `headers` (which Express's and Koa's default handlers
 * send), the stable `reason`, the spec `error`, the `Decision`, and the `response` the adapter would
 * have written.
 *
 * @example
 * import type { NextFunction, Request, Response } from 'express';
 * app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
 *   if (!(err instanceof AapDenyError)) return next(err);
 *   res.status(err.status).set(err.headers).json({ code: err.reason });
 * });
 */
export class AapDenyError extends Error {
  override readonly name = 'AapDenyError';
  readonly status: number;
  readonly statusCode: number;
  /** Koa / http-errors: the message may be shown to the client (it is the generic description). */
  readonly expose = true;
  readonly headers: Readonly<Record<string, string>>;
  readonly reason: NonNullable<Decision['reason']>;
  readonly error: NonNullable<Decision['error']>;
  readonly decision: Decision;
  readonly response: DenyResponse;

  constructor(decision: Decision, response: DenyResponse) {
    super(decision.body?.error_description ?? 'Request refused');
    this.status = decision.status;
    this.statusCode = decision.status;
    this.headers = response.headers;
    this.reason = decision.reason ?? 'internal_error';
    this.error = decision.error ?? 'temporarily_unavailable';
    this.decision = decision;
    this.response = response;
  }
}
