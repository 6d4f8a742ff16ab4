// An agent-facing API protected by aap-guard on Express, serving a Prometheus registry on GET /metrics
// (see metrics.mjs for what fills it). Each route is checked by its aap.require() declaration alone:
// one guard.check(), so one decision, per request.
import express from 'express';
import { aapGuard } from '@aap-guard/express';

/**
 * Build the app. `options` are aapGuard options (without them, aapGuard() reads AAP_ISSUER,
 * AAP_AUDIENCE and AAP_JWKS_URI); `registry` is the prom-client registry served on /metrics.
 * @param {object | undefined} options
 * @param {{ registry: import('prom-client').Registry }} metrics
 */
export function createApp(options, { registry }) {
  const app = express();
  const aap = aapGuard(options);
  app.disable('x-powered-by');

  // For the scraper, not for agents: keep it on a private network or behind its own authentication.
  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });

  app.get('/v1/search', aap.require('search.web', { target: (req) => req.query.url }), (req, res) => {
    res.json({ url: req.query.url, results: [] });
  });
  app.post('/v1/drafts', aap.require('cms.create_draft'), express.json({ limit: '100kb' }), (req, res) => {
    res.status(201).json({ title: String(req.body?.title ?? 'untitled'), status: 'draft' });
  });

  return { app, guard: aap.guard };
}
