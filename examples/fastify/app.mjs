// A small agent-facing API: search the web, write drafts, publish (a human approves publishing).
// Each route declares in its config which AAP action it performs; aap-guard decides who may call it.
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { consoleSignIn } from '@aap-guard/admin';
import { aapAdmin } from '@aap-guard/admin/fastify';
import { aapGuard } from '@aap-guard/fastify';
import { adminAccess, withBodyPreview } from '../shared/demo-support.mjs';

/**
 * Build the app. `options` are plugin options: guard options, or `{ guard }` to share one;
 * without options, the plugin reads AAP_ISSUER, AAP_AUDIENCE and AAP_JWKS_URI. With an
 * `adminKey`, people holding it approve or deny held requests under `/aap-admin`, in the approval
 * console at `/aap-admin/console` (`console` overrides its options).
 */
export async function createApp(options, { adminKey, console: consoleOptions } = {}) {
  const app = Fastify({ logger: process.env.LOG === '1' });
  // Register before the routes: it reads each route's `config.aap` as the route is added.
  // Routes without a declaration are refused (403 route_undeclared): Fastify's default here.
  await app.register(aapGuard, withBodyPreview(options)); // held bodies are previewed for the approver
  const { guard } = app.aap;

  // For people, not agents: the admin routes opt out of the AAP guard and check the admin key (or the
  // console's session). A new hold's approval_reference is its page in the console under the prefix.
  if (adminKey) {
    const access = adminAccess(adminKey, consoleSignIn);
    const admin = {
      guard,
      authorize: (request) => access.authorize(request.headers),
      actor: (request) => access.actor(request.headers),
    };
    await app.register(aapAdmin({ ...admin, console: { signIn: access.signIn, ...consoleOptions } }), {
      prefix: '/aap-admin',
    });
  }

  // Opted out: a public health check, no token needed.
  app.get('/health', { config: { aap: false } }, async () => ({ status: 'ok' }));

  // Declared by nobody: refused (403 route_undeclared) before this handler can run — the secure default.
  app.get('/v1/stats', async () => ({ drafts: 0 }));

  // The target URL is what domains_allowed / domains_blocked are checked against.
  const search = { action: 'search.web', target: (request) => request.query.url };
  app.get('/v1/search', { config: { aap: search } }, async (request) => ({
    url: request.query.url,
    agent: request.aap.claims.agent.id,
    results: [{ title: 'OAuth 2.0', snippet: 'An authorization framework…' }],
  }));

  app.post(
    '/v1/drafts',
    { config: { aap: { action: 'cms.create_draft' } }, bodyLimit: 100 * 1024 },
    async (request, reply) => {
      return reply
        .code(201)
        .send({ id: randomUUID(), title: String(request.body?.title ?? 'untitled'), status: 'draft' });
    },
  );

  // Under oversight when the token lists cms.publish in requires_human_approval_for: held for a human,
  // who approves THIS body (the guard digests it in onRequest, before Fastify parses it); a retry with
  // another body is another request (403 hold_mismatch).
  app.post('/v1/publish', { config: { aap: { action: 'cms.publish' } }, bodyLimit: 10 * 1024 }, async (request) => {
    return { id: String(request.body?.id ?? ''), status: 'published' };
  });

  await app.ready();
  return app;
}
