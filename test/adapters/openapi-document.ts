/**
 * The OpenAPI document the `openApi` tests of Express and Koa share (test/adapters/openapi-*.test.ts): an
 * action, a declaration whose `target` is a query parameter (through a local `#/components/parameters`
 * reference) or a path parameter, a public operation, a route under a router's prefix, one the app declares
 * itself, and one no app route serves.
 */
export const DOCUMENT = {
  openapi: '3.1.0',
  info: { title: 'items', version: '1' },
  components: { parameters: { Url: { name: 'url', in: 'query', schema: { type: 'string' } } } },
  paths: {
    '/v1/search': {
      get: {
        operationId: 'search',
        parameters: [{ $ref: '#/components/parameters/Url' }],
        'x-aap-action': { action: 'search.web', target: 'url' },
      },
    },
    '/v1/items/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true }],
      get: { 'x-aap-action': 'items.read' },
      delete: { 'x-aap-action': 'items.delete' },
    },
    '/v1/fetch/{host}': {
      get: {
        parameters: [{ name: 'host', in: 'path', required: true }],
        'x-aap-action': { action: 'fetch.host', target: 'host' },
      },
    },
    '/v2/things/{id}': { get: { 'x-aap-action': 'things.read' } },
    '/v1/owned': { get: { 'x-aap-action': 'owned.read' } },
    '/health': { get: { 'x-aap-action': false } },
    '/v1/reports': { get: { 'x-aap-action': 'reports.read' } },
  },
};

/** What `aap.routes(app)` must say of the document's and the app's routes (status, action, openApi). */
export const EXPECTED_REPORT = {
  'GET /v1/search': ['declared', 'search.web', undefined],
  'GET /v1/items/:itemId': ['declared', 'items.read', undefined],
  'GET /v1/fetch/:host': ['declared', 'fetch.host', undefined],
  'GET /v2/things/:id': ['declared', 'things.read', undefined],
  'GET /v1/owned': ['declared', 'owned.write', undefined],
  'GET /health': ['public', undefined, undefined],
  'GET /v1/stats': ['undeclared', undefined, 'not_in_document'],
  'DELETE /v1/items/:id': ['not_routed', 'items.delete', 'no_app_route'],
  'GET /v1/reports': ['not_routed', 'reports.read', 'no_app_route'],
};
