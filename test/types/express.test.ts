import type { Principal } from '@aap-guard/core';
import { aapGuard, type AapMiddleware, type RequireOptions } from '@aap-guard/express';
import express, { type Request, type RequestHandler } from 'express';
import { describe, expect, expectTypeOf, it } from 'vitest';

// Type-level tests: `tsc -p tsconfig.json` checks the expectTypeOf and @ts-expect-error lines; the
// runtime part shows that what the types refuse is refused at startup too.
const options = { issuer: 'https://as.example.com', audience: 'https://api.example.com', jwks: { keys: [] } };

describe('@aap-guard/express types', () => {
  it('decorates Express requests with req.aap (global Express.Request augmentation)', () => {
    expectTypeOf<Request['aap']>().toEqualTypeOf<Principal | undefined>();
    expectTypeOf<NonNullable<Request['aap']>['capability']>().toEqualTypeOf<Principal['capability']>();
  });

  it('types the middleware and the per-route declaration', async () => {
    const aap = aapGuard(options);
    expectTypeOf(aap).toMatchTypeOf<RequestHandler>();
    expectTypeOf<AapMiddleware['require']>().parameters.toEqualTypeOf<[action: string, options?: RequireOptions]>();
    expectTypeOf<AapMiddleware['require']>().returns.toEqualTypeOf<RequestHandler>();
    expectTypeOf<RequireOptions['target']>().toEqualTypeOf<((req: Request) => unknown) | undefined>();
    const app = express();
    app.use(aap);
    app.get(
      '/v1/search',
      aap.require('search.web', { target: (req) => req.query.url, purposes: ['research'], classification: 'public' }),
      (req, res) => {
        expectTypeOf(req.aap).toEqualTypeOf<Principal | undefined>();
        res.end();
      },
    );
    // @ts-expect-error: the action is the first argument, not an option
    const misplaced: RequireOptions = { action: 'search.web' };
    void misplaced;
    // @ts-expect-error: classification is a data level
    expect(() => aap.require('search.web', { classification: 'secret' })).toThrow(TypeError);
    // @ts-expect-error: undeclared is 'allow' | 'deny'
    expect(() => aapGuard({ ...options, undeclared: 'maybe' })).toThrow(TypeError);
    await aap.guard.close();
  });
});
