import { authorizedPrincipal, type AuthorizedPrincipal } from '@aap-guard/core';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AapHttpRequest } from './http.js';

/** The authorized principal of the request (`request.aap`), for the parameter decorator. */
function principalParam(_data: unknown, context: ExecutionContext): AuthorizedPrincipal {
  const request = context.switchToHttp().getRequest<AapHttpRequest>();
  return authorizedPrincipal(request.aap, '@AapPrincipal()');
}

/**
 * The principal the guard authorized for a handler declared with `@AapAction`: the token's normalized
 * claims, the scheme, and the `capability` and `action` that authorized it — typed, never undefined there.
 * On a handler without `@AapAction` it is a programming error (`TypeError`); read `request.aap` there.
 *
 * @example
 * import { Controller, Get } from '@nestjs/common';
 * import type { AuthorizedPrincipal } from '@aap-guard/core';
 * import { AapAction, AapPrincipal } from '@aap-guard/nestjs';
 * @Controller('v1/search')
 * export class SearchController {
 *   @Get()
 *   @AapAction('search.web')
 *   search(@AapPrincipal() principal: AuthorizedPrincipal) {
 *     return { agent: principal.claims.agent.id };
 *   }
 * }
 */
export const AapPrincipal: () => ParameterDecorator = createParamDecorator(principalParam);
