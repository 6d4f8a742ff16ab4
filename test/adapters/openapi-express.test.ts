/**
 * Declarations from OpenAPI (issue 25, item 9) on Express 5 and 4: `aapGuard({ openApi })` declares each
 * route without an `aap.require()` of its own by its operation's `x-aap-action` (an action; a declaration
 * whose `target` is a query or path parameter; `false`: public) — routes of mounted routers by their full
 * path — and `aap.routes(app)` marks where the document and the app disagree. A route's own
 * `aap.require()` wins over the document. Real HTTP, real tokens.
 */
import { createServer } from 'node:http';
import { aapGuard } from '@aap-guard/express';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import type express from 'express';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { forEachExpress } from '../../packages/express/test/helpers.js';
import { listen, type Listening } from './kit.js';
import { DOCUMENT, EXPECTED_REPORT, bearerOf, expectDeclaredByDocument, reasonOf } from './openapi-document.js';

let as: TestIssuer;
const servers: Listening[] = [];
beforeAll(async () => {
  as = await createIssuer();
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

function build(framework: typeof express) {
  const aap = aapGuard({
    issuer: as.issuer,
    audience: as.audience,
    jwks: as.jwks,
    logger: false,
    warmUp: false,
    openApi: DOCUMENT,
  });
  const app = framework();
  app.use(aap);
  app.get('/v1/search', (req, res) => void res.json({ url: req.query.url }));
  app.get('/v1/items/:itemId', (req, res) => void res.json({ id: req.params.itemId }));
  app.get('/v1/fetch/:host', (req, res) => void res.json({ host: req.params.host }));
  app.get('/v1/owned', aap.require('owned.write'), (_req, res) => void res.json({ owned: true })); // its own declaration wins
  app.get('/health', (_req, res) => void res.json({ ok: true }));
  app.get('/v1/stats', (_req, res) => void res.json({ n: 1 })); // not in the document
  const router = framework.Router();
  router.get('/things/:id', (req, res) => void res.json({ id: req.params.id }));
  app.use('/v2', router);
  return { app, aap };
}

async function serve(framework: typeof express): Promise<string> {
  const { app, aap } = build(framework);
  const server = await listen(createServer(app), aap.guard);
  servers.push(server);
  return server.url;
}

const bearer = (action: string, constraints?: Record<string, unknown>) => bearerOf(as)(action, constraints);

forEachExpress('OpenAPI declarations on Express', (framework) => {
  it('declares each route by its operation: the action, the target from a query or path parameter, public', async () => {
    await expectDeclaredByDocument(await serve(framework), as);
  });

  it("lets a route's own aap.require() win over the document", async () => {
    const url = await serve(framework);
    expect((await fetch(`${url}/v1/owned`, { headers: await bearer('owned.write') })).status).toBe(200);
    expect(await reasonOf(await fetch(`${url}/v1/owned`, { headers: await bearer('owned.read') }))).toEqual([
      403,
      'capability_missing',
    ]);
  });

  it('reports where the document and the app disagree', () => {
    const { app, aap } = build(framework);
    const table = Object.fromEntries(
      aap.routes(app).map((r) => [`${r.method} ${r.path}`, [r.status, r.action, r.openApi]]),
    );
    expect(table).toEqual(EXPECTED_REPORT);
  });

  it('refuses a malformed document at construction', () => {
    expect(() =>
      aapGuard({
        issuer: as.issuer,
        audience: as.audience,
        jwks: as.jwks,
        logger: false,
        warmUp: false,
        openApi: { swagger: '2.0' },
      }),
    ).toThrow(/OpenAPI 3\.x/);
  });
});
