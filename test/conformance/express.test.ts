/** The conformance table through real Express HTTP (`app.use(aap)` + `aap.require()` per route). */
import { createServer } from 'node:http';
import { listen } from '../adapters/kit.js';
import { aapGuard } from '@aap-guard/express';
import express from 'express';
import { ROUTE_PATHS, TARGET_PARAM, allowedBody, countBody, describeConformance, type Driver } from './harness.js';

const expressDriver: Driver = {
  name: 'express',
  async start(options, route) {
    const aap = aapGuard(options);
    const app = express();
    app.use(aap);
    const declared = route ? [aap.require(route.action, { ...route, target: (req) => req.query[TARGET_PARAM] })] : [];
    for (const path of ROUTE_PATHS) {
      app.all(path, ...declared, (req, res, next) => {
        countBody(req).then((received) => res.json(allowedBody(req.aap, received)), next);
      });
    }
    return { ...(await listen(createServer(app), aap.guard)), guard: aap.guard };
  },
};

describeConformance(expressDriver);
