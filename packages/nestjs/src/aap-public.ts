import { SetMetadata } from '@nestjs/common';
import { AAP_ROUTE, PUBLIC_ROUTE } from './route-metadata.js';

/**
 * Opt a handler (or a whole controller) out of the guard: no AAP authentication at all — a health check,
 * a public page, a login route of your own. A method's `@AapAction` still wins over its controller's
 * `@AapPublic`.
 *
 * @example
 * import { Controller, Get } from '@nestjs/common';
 * import { AapPublic } from '@aap-guard/nestjs';
 * @Controller()
 * export class HealthController {
 *   @Get('health')
 *   @AapPublic()
 *   health() {
 *     return { status: 'ok' };
 *   }
 * }
 */
export function AapPublic(): ClassDecorator & MethodDecorator {
  return SetMetadata(AAP_ROUTE, PUBLIC_ROUTE);
}
