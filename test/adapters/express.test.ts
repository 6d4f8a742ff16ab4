/** The shared adapter behaviour through real Express HTTP, on Express 5 and Express 4 (`app.use(aap)` + `aap.require()`). */
import { createServer } from 'node:http';
import { aapGuard } from '@aap-guard/express';
import express from 'express';
// @ts-expect-error: the examples are plain JavaScript (they run the built packages); here vitest aliases them to src
import { createApp } from '../../examples/express/app.mjs';
// @ts-expect-error: plain JavaScript
import { listenNode } from '../../examples/shared/serve-example.mjs';
import { forEachExpress } from '../../packages/express/test/helpers.js';
import { listen } from './kit.js';
import { LARGE_BODY, describeAdapter, failingTarget, principalBody, type AdapterDriver } from './suite.js';

function expressDriver(framework: typeof express): AdapterDriver {
  return {
    name: 'express',
    async start(options) {
      const aap = aapGuard(options);
      const app = framework();
      const handled: string[] = [];
      app.use(aap);
      app.get('/whoami', (req, res) => {
        handled.push('whoami');
        res.json(principalBody(req.aap));
      });
      app.get('/v1/search', aap.require('search.web', { target: (req) => req.query.url }), (req, res) => void res.json(principalBody(req.aap)));
      app.post('/v1/publish', aap.require('cms.publish'), (req, res) => {
        handled.push('publish');
        res.json(principalBody(req.aap));
      });
      app.get('/boom', aap.require('search.web', { target: failingTarget }), (_req, res) => void res.json({}));
      app.post('/v1/drafts', aap.require('cms.create_draft'), framework.raw({ type: '*/*', limit: '1mb' }), (req, res) => {
        handled.push(`draft:${(req.body as Buffer).length}`);
        res.status(201).json({ bytes: (req.body as Buffer).length });
      });
      app.get('/v1/large', aap.require('search.web'), (_req, res) => void res.type('text/plain').send(LARGE_BODY));
      return { ...(await listen(createServer(app), aap.guard)), guard: aap.guard, handled };
    },
    async declare(guard, action) {
      aapGuard({ guard }).require(action);
    },
    // The example app is Express 5 whatever the version under test: run it once.
    example: framework === express ? (options, adminKey) => listenNode(createApp(options, { adminKey }), { port: 0, host: '127.0.0.1' }) : undefined,
  };
}

forEachExpress('adapter suite', (framework) => describeAdapter(expressDriver(framework)));
