// A small agent-facing API: search the web, write drafts, publish (a human approves publishing).
// The routes declare which AAP action they perform; aap-guard decides who may call them.
import { randomUUID } from 'node:crypto';
import express from 'express';
import { consoleSignIn } from '@aap-guard/admin';
import { aapAdmin } from '@aap-guard/admin/express';
import { aapEvents, aapGuard } from '@aap-guard/express';
import { adminAccess, isAdminKey, withBodyPreview } from '../shared/demo-support.mjs';

/**
 * Build the app. `options` are aapGuard options: guard options, or `{ guard }` to share one;
 * without options, `aapGuard()` reads AAP_ISSUER, AAP_AUDIENCE and AAP_JWKS_URI. With an
 * `adminKey`, people holding it approve or deny held requests under `/aap-admin`, in the approval
 * console at `/aap-admin/console` (`console` overrides its options). With an `eventsKey`, the
 * authorization server pushes revocation events (RFC 8935) to `/aap-events` with it as bearer token.
 */
export function createApp(options, { adminKey, eventsKey, console: consoleOptions } = {}) {
  const app = express();
  const aap = aapGuard(withBodyPreview(options)); // held bodies are previewed for the approver
  app.disable('x-powered-by');

  // For people, not agents: mounted before `aap`, protected by its own authorize().
  // The console's `url` makes a new hold's approval_reference its page (an Express router cannot know its mount path).
  if (adminKey) {
    const access = adminAccess(adminKey, consoleSignIn);
    app.use(
      '/aap-admin',
      aapAdmin({
        guard: aap.guard,
        authorize: (req) => access.authorize(req.headers),
        actor: (req) => access.actor(req.headers),
        console: { url: '/aap-admin', signIn: access.signIn, ...consoleOptions },
      }),
    );
  }

  // For the authorization server, not agents: Security Event Tokens that revoke (RFC 8417), verified with the AS's
  // keys.
  if (eventsKey) {
    app.use(
      '/aap-events',
      aapEvents({ guard: aap.guard, authorize: (req) => isAdminKey(req.get('authorization'), `Bearer ${eventsKey}`) }),
    );
  }

  app.use(aap); // authenticates every request; req.aap is the verified agent

  // Opted out: a public health check, no token needed.
  app.get('/health', aap.public(), (_req, res) => {
    res.json({ status: 'ok' });
  });

  // Declared by nobody: refused (403 route_undeclared) before this handler can run — the secure default.
  app.get('/v1/stats', (_req, res) => {
    res.json({ drafts: 0 });
  });

  // The target URL is what domains_allowed / domains_blocked are checked against.
  app.get('/v1/search', aap.require('search.web', { target: (req) => req.query.url }), (req, res) => {
    res.json({
      url: req.query.url,
      agent: req.aap.claims.agent.id,
      results: [{ title: 'OAuth 2.0', snippet: 'An authorization framework…' }],
    });
  });

  // Declarations come before body parsers: a body over max_request_size is refused unread, and a held
  // request's hold binds its body (the guard digests it as it arrives; the parser still reads all of it).
  app.post('/v1/drafts', aap.require('cms.create_draft'), express.json({ limit: '100kb' }), (req, res) => {
    res.status(201).json({ id: randomUUID(), title: String(req.body?.title ?? 'untitled'), status: 'draft' });
  });

  // Under oversight when the token lists cms.publish in requires_human_approval_for: held for a human,
  // who approves THIS body; a retry with another body is another request (403 hold_mismatch).
  app.post('/v1/publish', aap.require('cms.publish'), express.json({ limit: '10kb' }), (req, res) => {
    res.json({ id: String(req.body?.id ?? ''), status: 'published' });
  });

  return { app, guard: aap.guard };
}
