import type { Principal } from '@aap-guard/core';
import { aapGuard, type AapMiddleware, type RequireOptions } from '@aap-guard/express';
import express, { type Request, type RequestHandler } from 'express';
import { describe, expectTypeOf, it } from 'vitest';

// Type-level checks, enforced by `tsc -p tsconfig.json` (the runtime part only declares routes).
describe('@aap-guard/express types', () => {
  it('types req.aap', () => {
    expectTypeOf<Request['aap']>().toEqualTypeOf<Principal | undefined>();
  });

  it('types the route declaration', () => {
    expectTypeOf<AapMiddleware['require']>().returns.toEqualTypeOf<RequestHandler>();
    const aap = aapGuard({ issuer: 'https://as.example.com', audience: 'https://api.example.com', jwks: { keys: [] } });
    const app = express();
    app.get('/x', aap.require('search.web', { target: (req) => req.query.url, purposes: ['research'] }), (req, res) => {
      expectTypeOf(req.aap).toEqualTypeOf<Principal | undefined>();
      res.end();
    });
    // @ts-expect-error: the action is the first argument, not an option
    const bad: RequireOptions = { action: 'search.web' };
    void bad;
  });
});
