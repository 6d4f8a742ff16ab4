import { SetMetadata } from '@nestjs/common';
import type { AapHttpRequest } from './http.js';
import { AAP_ROUTE, actionMetadata, type AapActionOptions } from './route-metadata.js';

/**
 * Declare the AAP action a handler performs — on a method, or on a controller for all of its handlers (a
 * method's own `@AapAction` or `@AapPublic` wins). The token must grant the action (and its constraints);
 * a held action waits for a human's approval. A handler with no declaration is refused (403
 * `route_undeclared`, after authentication) unless `undeclared: 'allow'`. A bad declaration is a
 * `TypeError` when the class is defined or, for the guard's own checks, when the app starts.
 *
 * @example
 * import { Body, Controller, Post } from '@nestjs/common';
 * import { AapAction } from '@aap-guard/nestjs';
 * @Controller('v1/posts')
 * export class PostsController {
 *   @Post()
 *   @AapAction('cms.publish', { target: (req) => req.query.site })
 *   publish(@Body() body: { title: string }) {
 *     return { published: body.title };
 *   }
 * }
 */
export function AapAction<Req = AapHttpRequest>(
  action: string,
  options?: AapActionOptions<Req>,
): ClassDecorator & MethodDecorator {
  return SetMetadata(AAP_ROUTE, actionMetadata(action, options as AapActionOptions<any>));
}
