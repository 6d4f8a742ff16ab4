/**
 * The shared adapter behaviour through real Express HTTP, on Express 5 and Express 4 (`app.use(aap)` +
 * `aap.require()`).
 */
import { createServer } from 'node:http';
import { AapDenyError, aapGuard } from '@aap-guard/express';
import express from 'express';
// @ts-expect-error: the examples are plain JavaScript (they run the built packages); here vitest aliases them to src
import { createApp } from '../../examples/express/app.mjs';
// @ts-expect-error: plain JavaScript
import { listenNode } from '../../examples/shared/serve-example.mjs';
import { forEachExpress } from '../../packages/express/test/helpers.js';
import { listen } from './kit.js';
import {
  LARGE_BODY,
  appErrorBody,
  describeAdapter,
  failingTarget,
  principalBody,
  type AdapterDriver,
} from './suite.js';

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
      app.get(
        '/v1/search',
        aap.require('search.web', { target: (req) => req.query.url }),
        (req, res) => void res.json(principalBody(req.aap)),
      );
      app.post('/v1/publish', aap.require('cms.publish'), (req, res) => {
        handled.push('publish');
        res.json(principalBody(req.aap));
      });
      app.get('/boom', aap.require('search.web', { target: failingTarget }), (_req, res) => void res.json({}));
      app.post(
        '/v1/drafts',
        aap.require('cms.create_draft'),
        framework.raw({ type: '*/*', limit: '1mb' }),
        (req, res) => {
          handled.push(`draft:${(req.body as Buffer).length}`);
          res.status(201).json({ bytes: (req.body as Buffer).length });
        },
      );
      app.get('/v1/large', aap.require('search.web'), (_req, res) => void res.type('text/plain').send(LARGE_BODY));
      app.get('/health', aap.public(), (req, res) => void res.json({ status: 'ok', aap: req.aap ?? null }));
      app.get('/ready', aap.health());
      // The app's own error handling (for `denyAs: 'error'`): its own envelope, the guard's status.
      app.use((error: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) => {
        if (!(error instanceof AapDenyError)) return next(error);
        res.status(error.status).json(appErrorBody(error));
      });
      return {
        ...(await listen(createServer(app), aap.guard)),
        guard: aap.guard,
        handled,
        routes: () => aap.routes(app),
      };
    },
    async declare(guard, action, options) {
      aapGuard({ guard }).require(action, options);
    },
    // The example app is Express 5 whatever the version under test: run it once.
    example:
      framework === express
        ? (options, adminKey) => listenNode(createApp(options, { adminKey }), { port: 0, host: '127.0.0.1' })
        : undefined,
  };
}

forEachExpress('adapter suite', (framework) => describeAdapter(expressDriver(framework)));
