// A small agent-facing API: search the web, write drafts, publish (a human approves publishing).
// The routes declare which AAP action they perform; aap-guard decides who may call them.
import { randomUUID } from 'node:crypto';
import express from 'express';
import { aapGuard } from '@aap-guard/express';

/**
 * Build the app. `options` are aapGuard options: guard options, or `{ guard }` to share one.
 * Without options, `aapGuard()` reads AAP_ISSUER, AAP_AUDIENCE and AAP_JWKS_URI.
 */
export function createApp(options) {
  const app = express();
  const aap = aapGuard(options);
  app.disable('x-powered-by');
  app.use(aap); // authenticates every request; req.aap is the verified agent

  // Undeclared: any valid AAP token may call it (set undeclared: 'deny' to refuse such routes).
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  // The target URL is what domains_allowed / domains_blocked are checked against.
  app.get('/v1/search', aap.require('search.web', { target: (req) => req.query.url }), (req, res) => {
    res.json({
      url: req.query.url,
      agent: req.aap.claims.agent.id,
      results: [{ title: 'OAuth 2.0', snippet: 'An authorization framework…' }],
    });
  });

  app.post('/v1/drafts', aap.require('cms.create_draft'), express.json({ limit: '100kb' }), (req, res) => {
    res.status(201).json({ id: randomUUID(), title: String(req.body?.title ?? 'untitled'), status: 'draft' });
  });

  app.post('/v1/publish', aap.require('cms.publish'), express.json({ limit: '10kb' }), (req, res) => {
    res.json({ id: String(req.body?.id ?? ''), status: 'published' });
  });

  return { app, guard: aap.guard };
}
