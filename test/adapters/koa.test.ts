/**
 * The shared adapter behaviour through real Koa HTTP, on Koa 3 and Koa 2 (`app.use(aap)`, `aap.require()` with
 * @koa/router).
 */
import { createServer } from 'node:http';
import Router from '@koa/router';
import { AapDenyError, aapGuard } from '@aap-guard/koa';
import Koa from 'koa';
// @ts-expect-error: the examples are plain JavaScript (they run the built packages); here vitest aliases them to src
import { createApp } from '../../examples/koa/app.mjs';
// @ts-expect-error: plain JavaScript
import { listenNode } from '../../examples/shared/serve-example.mjs';
import { forEachKoa } from '../../packages/koa/test/helpers.js';
import { countBody, listen } from './kit.js';
import {
  LARGE_BODY,
  appErrorBody,
  describeAdapter,
  failingTarget,
  principalBody,
  type AdapterDriver,
} from './suite.js';

function koaDriver(Framework: typeof Koa): AdapterDriver {
  return {
    name: 'koa',
    async start(options) {
      const aap = aapGuard(options);
      const router = new Router();
      const handled: string[] = [];
      router.get('/whoami', (ctx) => {
        handled.push('whoami');
        ctx.body = principalBody(ctx.state.aap);
      });
      router.get('/v1/search', aap.require('search.web', { target: (ctx) => ctx.query.url }), (ctx) => {
        ctx.body = principalBody(ctx.state.aap);
      });
      router.post('/v1/publish', aap.require('cms.publish'), (ctx) => {
        handled.push('publish');
        ctx.body = principalBody(ctx.state.aap);
      });
      router.get('/boom', aap.require('search.web', { target: failingTarget }), (ctx) => {
        ctx.body = {};
      });
      router.post('/v1/drafts', aap.require('cms.create_draft'), async (ctx) => {
        const bytes = await countBody(ctx.req);
        handled.push(`draft:${bytes}`);
        ctx.status = 201;
        ctx.body = { bytes };
      });
      router.get('/v1/large', aap.require('search.web'), (ctx) => {
        ctx.type = 'text/plain';
        ctx.body = LARGE_BODY;
      });
      router.get('/health', aap.public(), (ctx) => {
        ctx.body = { status: 'ok', aap: ctx.state.aap ?? null };
      });
      router.get('/ready', aap.health());
      const app = new Framework();
      app.silent = true; // the aborted body read after a 413 is expected
      // The app's own error handling (for `denyAs: 'error'`): its own envelope, the guard's status.
      app.use(async (ctx, next) => {
        try {
          await next();
        } catch (error) {
          if (!(error instanceof AapDenyError)) throw error;
          ctx.status = error.status;
          ctx.body = appErrorBody(error);
        }
      });
      app.use(aap).use(router.routes());
      return {
        ...(await listen(createServer(app.callback()), aap.guard)),
        guard: aap.guard,
        handled,
        routes: () => aap.routes(app),
      };
    },
    async declare(guard, action, options) {
      aapGuard({ guard }).require(action, options);
    },
    // The example app is Koa 3 whatever the version under test: run it once.
    example:
      Framework === Koa
        ? (options, adminKey) => listenNode(createApp(options, { adminKey }), { port: 0, host: '127.0.0.1' })
        : undefined,
  };
}

forEachKoa('adapter suite', (Framework) => describeAdapter(koaDriver(Framework)));
