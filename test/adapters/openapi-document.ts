/**
 * The OpenAPI document the `openApi` tests of Express, Koa and Fastify share (test/adapters/openapi-*.test.ts): an
 * action, a declaration whose `target` is a query parameter (through a local `#/components/parameters`
 * reference) or a path parameter, a public operation, a route under a router's prefix, one the app declares
 * itself, and one no app route serves.
 */
import type { TestIssuer } from '@aap-guard/testing';
import { expect } from 'vitest';

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

/** The `Authorization` header of a fresh token of `as` granting `action` (with `constraints`). */
export function bearerOf(as: TestIssuer) {
  return async (action: string, constraints?: Record<string, unknown>) => ({
    authorization: `Bearer ${await as.mint({ capabilities: [constraints ? { action, constraints } : { action }] })}`,
  });
}

/** A JSON response's status and deny `reason`. */
export const reasonOf = async (response: Response) => [
  response.status,
  ((await response.json()) as { reason?: string }).reason,
];

/**
 * The requests every adapter's document test sends to the app at `url`, and what the document makes of them:
 * each operation's action, its `target` from a query or path parameter, the public operation, a route the
 * document does not name. `routed`: the app also serves `/v1/fetch/:host` and the router-prefixed `/v2/things/:id`.
 */
export async function expectDeclaredByDocument(url: string, as: TestIssuer, routed = true): Promise<void> {
  const bearer = bearerOf(as);
  expect((await fetch(`${url}/v1/items/7`, { headers: await bearer('items.read') })).status).toBe(200);
  expect(await reasonOf(await fetch(`${url}/v1/items/7`, { headers: await bearer('search.web') }))).toEqual([
    403,
    'capability_missing',
  ]);
  expect((await fetch(`${url}/v1/items/7`)).status).toBe(401);
  const domains = { domains_allowed: ['example.com'] };
  const search = async (target: string) =>
    (await fetch(`${url}/v1/search?url=${target}`, { headers: await bearer('search.web', domains) })).status;
  expect(await search('https://example.com/a')).toBe(200);
  expect(await search('https://evil.test/a')).toBe(403);
  if (routed) {
    const host = async (name: string) =>
      (await fetch(`${url}/v1/fetch/${name}`, { headers: await bearer('fetch.host', domains) })).status;
    expect(await host('example.com')).toBe(200);
    expect(await host('evil.test')).toBe(403);
    expect((await fetch(`${url}/v2/things/3`, { headers: await bearer('things.read') })).status).toBe(200);
    expect((await fetch(`${url}/v2/things/3`, { headers: await bearer('items.read') })).status).toBe(403);
  }
  expect((await fetch(`${url}/health`)).status).toBe(200);
  expect(await reasonOf(await fetch(`${url}/v1/stats`, { headers: await bearer('items.read') }))).toEqual([
    403,
    'route_undeclared',
  ]);
}
