/** The conformance table through real Koa HTTP (`app.use(aap)`, `aap.require()` with @koa/router). */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
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
    const server = createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      guard: aap.guard,
      async close() {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
        await aap.guard.close();
      },
    };
  },
};

describeConformance(koaDriver);
