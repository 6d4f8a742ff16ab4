/**
 * Declarations from OpenAPI (issue 25, item 9) on Fastify: the plugin's `openApi` document declares each
 * route by its operation's `x-aap-action` (an action; a declaration whose `target` is a path or query
 * parameter, through a local `#/components/parameters` reference; `false`: public), and `app.aap.routes()`
 * marks where the document and the app disagree. Real HTTP, real tokens.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { aapGuard } from '@aap-guard/fastify';
import { openApiOperations } from '@aap-guard/core/openapi';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DOCUMENT, expectDeclaredByDocument } from './openapi-document.js';

let as: TestIssuer;
const apps: FastifyInstance[] = [];
beforeAll(async () => {
  as = await createIssuer();
});
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function serve(): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify();
  apps.push(app);
  await app.register(aapGuard, {
    issuer: as.issuer,
    audience: as.audience,
    jwks: as.jwks,
    logger: false,
    openApi: DOCUMENT,
  });
  app.get('/v1/search', async (request) => ({ url: (request.query as { url?: string }).url }));
  app.get('/v1/items/:itemId', async (request) => ({ id: (request.params as { itemId: string }).itemId }));
  app.get('/health', async () => ({ ok: true }));
  app.get('/v1/stats', async () => ({ n: 1 })); // not in the document
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url };
}

describe('OpenAPI declarations on Fastify', () => {
  it('declares each route by its operation: the action, the target from a parameter, public', async () => {
    const { url } = await serve();
    await expectDeclaredByDocument(url, as, false);
  });

  it('reports where the document and the app disagree', async () => {
    const { app } = await serve();
    const table = Object.fromEntries(
      app.aap
        .routes()
        .filter((r) => r.method !== 'HEAD')
        .map((r) => [`${r.method} ${r.path}`, [r.status, r.action, r.openApi]]),
    );
    expect(table).toMatchObject({
      'GET /v1/search': ['declared', 'search.web', undefined],
      'GET /v1/items/:itemId': ['declared', 'items.read', undefined],
      'GET /health': ['public', undefined, undefined],
      'GET /v1/stats': ['undeclared', undefined, 'not_in_document'],
      'DELETE /v1/items/:id': ['not_routed', 'items.delete', 'no_app_route'],
      'GET /v1/reports': ['not_routed', 'reports.read', 'no_app_route'],
    });
  });

  it('refuses a malformed document or declaration at registration, naming the operation', () => {
    expect(() => openApiOperations({ swagger: '2.0' })).toThrow(TypeError);
    const badTarget = {
      openapi: '3.0.3',
      paths: { '/x': { get: { 'x-aap-action': { action: 'a.b', target: 'nope' } } } },
    };
    expect(() => openApiOperations(badTarget)).toThrow(/x-aap-action\.target of GET \/x/);
    const remote = {
      openapi: '3.0.3',
      paths: { '/x': { get: { parameters: [{ $ref: 'https://example.com/p.yaml#/P' }] } } },
    };
    expect(() => openApiOperations(remote)).toThrow(/only local references/);
  });
});
