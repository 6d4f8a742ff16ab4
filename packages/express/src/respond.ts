import { AapDenyError, denyResponse, writeDeny, type AdapterSettings } from '@aap-guard/core/node';
import type { Decision } from '@aap-guard/core';
import type { NextFunction, Request, Response } from 'express';

/**
 * Send a deny the way the app asked: written directly (default), or handed to Express's error handling
 * as an `AapDenyError` (`denyAs: 'error'`). Either way the decision's headers (WWW-Authenticate,
 * Retry-After, DPoP-Nonce, `Cache-Control: no-store`) are on the response — set before `next(err)`, and on
 * the error for Express's default handler.
 */
export function respondDeny(
  adapter: AdapterSettings<Request>,
  res: Response,
  next: NextFunction,
  decision: Decision,
): void {
  if (adapter.denyAs === 'response' || res.headersSent) {
    writeDeny(res, denyResponse(decision, adapter.formatDeny));
    return;
  }
  next(denyError(adapter, res, decision));
}

/**
 * The `AapDenyError` of a decision, for Express's error handling, with the decision's headers set on the
 * response (when it is not started yet).
 */
export function denyError(adapter: AdapterSettings<Request>, res: Response, decision: Decision): AapDenyError {
  const response = denyResponse(decision, adapter.formatDeny);
  if (!res.headersSent) {
    for (const [name, value] of Object.entries(response.headers)) {
      if (name !== 'content-type') res.setHeader(name, value);
    }
  }
  return new AapDenyError(decision, response);
}
