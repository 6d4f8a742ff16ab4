/**
 * @aap-guard/core/openapi — declare an API's routes once, in its OpenAPI 3.x document: each operation's
 * `x-aap-action` (an action, a declaration with `target` naming a parameter, or `false`). The adapters read
 * it (the `openApi` option of the Fastify plugin and of Express's and Koa's `aapGuard()`) and report where
 * the document and the app disagree.
 */
export {
  openApiOperations,
  openApiDisagreements,
  routerPath,
  openApiRoutes,
  openApiPathParams,
  openApiTarget,
  type OpenApiOperation,
  type OpenApiTarget,
  type OpenApiRoutes,
  type OpenApiDeclared,
  type OpenApiNotRouted,
  type OpenApiReportedRoute,
} from './concerns/route/openapi.js';
