import type { Principal } from '@aap-guard/core';
import { aapGuard, type AapMiddleware, type RequireOptions } from '@aap-guard/express';
import type { Request, RequestHandler } from 'express';
import { describe, expectTypeOf, it } from 'vitest';

// Type-level checks (enforced by `tsc -p tsconfig.json`; the runtime part is trivial).
describe('@aap-guard/express types', () => {
  it('decorates Express requests with req.aap', () => {
    expectTypeOf<Request['aap']>().toEqualTypeOf<Principal | undefined>();
  });

  it('types the middleware and the route declaration', () => {
    expectTypeOf(aapGuard).returns.toEqualTypeOf<AapMiddleware>();
    expectTypeOf<AapMiddleware['require']>().returns.toEqualTypeOf<RequestHandler>();
    expectTypeOf<RequireOptions>().toHaveProperty('target');
    expectTypeOf<RequireOptions['purposes']>().toEqualTypeOf<readonly string[] | undefined>();
    // @ts-expect-error: the action is declared as the first argument, not in the options
    const bad: RequireOptions = { action: 'search.web' };
    void bad;
  });
});
