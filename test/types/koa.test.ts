import type { Principal } from '@aap-guard/core';
import { aapGuard, type AapKoaMiddleware, type RequireOptions } from '@aap-guard/koa';
import Router from '@koa/router';
import type { Context, DefaultState, Middleware } from 'koa';
import { describe, expect, expectTypeOf, it } from 'vitest';

// Type-level tests: `tsc -p tsconfig.json` checks the expectTypeOf and @ts-expect-error lines; the
// runtime part shows that what the types refuse is refused at startup too.
const options = { issuer: 'https://as.example.com', audience: 'https://api.example.com', jwks: { keys: [] } };

describe('@aap-guard/koa types', () => {
  it('types ctx.state.aap (DefaultState augmentation)', () => {
    expectTypeOf<DefaultState['aap']>().toEqualTypeOf<Principal | undefined>();
    expectTypeOf<Context['state']['aap']>().toEqualTypeOf<Principal | undefined>();
  });

  it('types the middleware, the route declaration and its use with @koa/router', async () => {
    expectTypeOf(aapGuard).returns.toEqualTypeOf<AapKoaMiddleware>();
    expectTypeOf<AapKoaMiddleware['require']>().returns.toEqualTypeOf<Middleware>();
    expectTypeOf<RequireOptions['target']>().toEqualTypeOf<((ctx: Context) => unknown) | undefined>();
    const aap = aapGuard(options);
    const router = new Router();
    router.get(
      '/v1/search',
      aap.require('search.web', { target: (ctx) => ctx.query.url, classification: 'public' }),
      (ctx) => {
        expectTypeOf(ctx.state.aap).toEqualTypeOf<Principal | undefined>();
      },
    );
    expectTypeOf(aap.router(router)).toEqualTypeOf<Middleware>();
    // @ts-expect-error: the action is the first argument, not an option
    const misplaced: RequireOptions = { action: 'search.web' };
    void misplaced;
    // @ts-expect-error: classification is a data level
    expect(() => aap.require('a.b', { classification: 'secret' })).toThrow(TypeError);
    await aap.guard.close();
  });
});
