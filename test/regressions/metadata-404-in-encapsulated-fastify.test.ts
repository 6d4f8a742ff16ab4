/**
 * Regression (issue 25, item 5): in a fastify-cli app — autoload registers the app itself as an
 * encapsulated plugin — `/.well-known/oauth-protected-resource` was 404 although every 401 pointed to it:
 * the plugin answered the document from its `onRequest` hook, which Fastify runs only for routes of its own
 * context, and no route matched the well-known path. RFC 9728 §3.1 publishes the document at the root of
 * the resource's origin (path-suffixed for a resource with a path). Now the plugin routes it at the root
 * from every context, under a prefix too, and refuses an app route of its own there with a TypeError.
 * Fastify 5 and 4, over real HTTP.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { aapGuard } from '@aap-guard/fastify';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { forEachVersion, frameworkVersions } from '../adapters/versions.js';

const FASTIFY_VERSIONS = await frameworkVersions('Fastify', 'fastify', Fastify, { alias: 'fastify4', major: '4' });

let as: TestIssuer;
const apps: FastifyInstance[] = [];
beforeAll(async () => {
  as = await createIssuer({ audience: 'https://api.example.test/v1' });
});
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

const options = () => ({ issuer: as.issuer, audience: as.audience, jwks: as.jwks, logger: false as const });

/** The challenge's `resource_metadata`, asked of this server: its path (and query), on our origin. */
function pathOf(challenge: string | null): string {
  const url = /resource_metadata="([^"]+)"/.exec(challenge ?? '')?.[1];
  expect(url).toBeDefined();
  return new URL(url as string).pathname;
}

forEachVersion(FASTIFY_VERSIONS, 'the RFC 9728 document', (Framework) => {
  async function listen(build: (app: FastifyInstance) => void | Promise<void>): Promise<string> {
    const app = (Framework as typeof Fastify)();
    apps.push(app);
    await build(app);
    return app.listen({ port: 0, host: '127.0.0.1' });
  }

  const cases: [string, (app: FastifyInstance) => void][] = [
    [
      'an encapsulated registration (fastify-cli autoload)',
      (app) => {
        app.register(async (child) => {
          await child.register(aapGuard, options());
          child.get('/v1/search', { config: { aap: { action: 'search.web' } } }, async () => ({ ok: true }));
        });
      },
    ],
    [
      'an encapsulated registration under a prefix',
      (app) => {
        app.register(
          async (child) => {
            await child.register(aapGuard, options());
            child.get('/search', { config: { aap: { action: 'search.web' } } }, async () => ({ ok: true }));
          },
          { prefix: '/v1' },
        );
      },
    ],
  ];

  for (const [shape, build] of cases) {
    it(`is served at the root path every 401 names, from ${shape}`, async () => {
      const base = await listen(build);
      const refused = await fetch(`${base}/v1/search`);
      expect(refused.status).toBe(401);
      const path = pathOf(refused.headers.get('www-authenticate'));
      expect(path).toBe('/.well-known/oauth-protected-resource/v1'); // §3.1: suffixed with the resource's path
      for (const at of [path, '/.well-known/oauth-protected-resource']) {
        const response = await fetch(`${base}${at}`);
        expect(response.status, at).toBe(200);
        const document = (await response.json()) as Record<string, unknown>;
        expect(document).toMatchObject({
          resource: 'https://api.example.test/v1',
          authorization_servers: [as.issuer],
          aap_actions_supported: ['search.web'],
        });
      }
      const head = await fetch(`${base}${path}`, { method: 'HEAD' });
      expect(head.status).toBe(200);
    });
  }

  it('refuses, at startup, an app route of its own at the well-known path (TypeError naming it)', async () => {
    const before = (Framework as typeof Fastify)();
    apps.push(before);
    before.get('/.well-known/oauth-protected-resource', async () => ({ mine: true }));
    await expect(before.register(aapGuard, options()).ready()).rejects.toThrow(
      /has its own route GET \/\.well-known\/oauth-protected-resource\b/,
    );

    const after = (Framework as typeof Fastify)();
    apps.push(after);
    await after.register(aapGuard, options());
    expect(() => after.get('/.well-known/oauth-protected-resource/v1', async () => ({ mine: true }))).toThrow(
      TypeError,
    );
  });

  it('is routed once when two registrations guard one app (a public guard and an admin guard)', async () => {
    const base = await listen(async (app) => {
      await app.register(aapGuard, options());
      app.register(async (admin) => {
        await admin.register(aapGuard, options());
        admin.get('/admin/x', { config: { aap: { action: 'admin.read' } } }, async () => ({ ok: true }));
      });
    });
    expect((await fetch(`${base}/.well-known/oauth-protected-resource`)).status).toBe(200);
  });
});
