/** The conformance table through real Koa HTTP (`app.use(aap)`, `aap.require()` with @koa/router). */
import { createServer } from 'node:http';
import { listen } from '../adapters/kit.js';
import Router from '@koa/router';
import { aapGuard } from '@aap-guard/koa';
import Koa from 'koa';
import { ROUTE_PATHS, TARGET_PARAM, allowedBody, countBody, describeConformance, type Driver } from './harness.js';

const koaDriver: Driver = {
  name: 'koa',
  async start(options, route) {
    const aap = aapGuard(options);
    const router = new Router();
    const declared = route ? [aap.require(route.action, { ...route, target: (ctx) => ctx.query[TARGET_PARAM] })] : [];
    for (const path of ROUTE_PATHS) {
      router.all(path, ...declared, async (ctx) => {
        ctx.body = allowedBody(ctx.state.aap, await countBody(ctx.req));
      });
    }
    const app = new Koa();
    app.use(aap).use(aap.router(router));
    return { ...(await listen(createServer(app.callback()), aap.guard)), guard: aap.guard };
  },
};

describeConformance(koaDriver);
