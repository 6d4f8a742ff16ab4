/**
 * @aap-guard/core/openapi — declare an API's routes once, in its OpenAPI 3.x document: each operation's
 * `x-aap-action` (an action, a declaration with `target` naming a parameter, or `false`). The adapters read
 * it (`openApi` of the Fastify plugin, `aap.openApi(document)` of Express) and report where the document
 * and the app disagree.
 */
export {
  openApiOperations, openApiDisagreements, routerPath, type OpenApiOperation, type OpenApiTarget,
} from './concerns/route/openapi.js';
