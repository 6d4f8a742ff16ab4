import type { ServerResponse } from 'node:http';
import { writeDeny } from '@aap-guard/core/node';
import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { AapDenyException } from './aap-deny-exception.js';
import { isFastifyReply } from './http.js';

/**
 * Writes an `AapDenyException` as the guard answers a deny on every other framework: its status, every
 * header (WWW-Authenticate, Retry-After, RateLimit, DPoP-Nonce, `Cache-Control: no-store`) and its body —
 * and nothing in the logs (a deny is an audit event, not an application error). `AapModule` registers it
 * globally unless `filter: false`; a filter of yours that catches `AapDenyException` on a controller or a
 * method runs instead (Nest picks the nearest).
 *
 * @example
 * // AapModule.forRootAsync({ filter: false, useFactory }) registers no filter: opt controllers in one by one
 * import { Controller, UseFilters } from '@nestjs/common';
 * import { AapExceptionFilter } from '@aap-guard/nestjs';
 * @Controller('v1/reports')
 * @UseFilters(AapExceptionFilter)
 * export class ReportsController {}
 */
@Catch(AapDenyException)
export class AapExceptionFilter implements ExceptionFilter<AapDenyException> {
  catch(exception: AapDenyException, host: ArgumentsHost): void {
    const response: unknown = host.switchToHttp().getResponse();
    if (isFastifyReply(response)) {
      if (exception.written || response.sent) return;
      response.hijack(); // written below, on the Node response, the same bytes as every adapter writes
      writeDeny(response.raw, exception.deny);
      return;
    }
    const res = response as ServerResponse;
    if (exception.written && res.writableEnded) return;
    writeDeny(res, exception.deny); // a response started already is cut off (destroyed), never passed for complete
  }
}
