import type { Principal } from '@aap-guard/core';
import { aapGuard, type AapKoaMiddleware, type RequireOptions } from '@aap-guard/koa';
import Router from '@koa/router';
import type { Context, DefaultState, Middleware } from 'koa';
import { describe, expectTypeOf, it } from 'vitest';

// Type-level checks, enforced by `tsc -p tsconfig.json` (the runtime part only declares routes).
describe('@aap-guard/koa types', () => {
  it('types ctx.state.aap', () => {
    expectTypeOf<DefaultState['aap']>().toEqualTypeOf<Principal | undefined>();
    expectTypeOf<Context['state']['aap']>().toEqualTypeOf<Principal | undefined>();
  });

  it('types the middleware, the route declaration and its use with @koa/router', () => {
    expectTypeOf(aapGuard).returns.toEqualTypeOf<AapKoaMiddleware>();
    expectTypeOf<AapKoaMiddleware['require']>().returns.toEqualTypeOf<Middleware>();
    expectTypeOf<RequireOptions['target']>().toEqualTypeOf<((ctx: Context) => unknown) | undefined>();
    const aap = aapGuard({ issuer: 'https://as.example.com', audience: 'https://api.example.com', jwks: { keys: [] } });
    const router = new Router();
    router.get('/x', aap.require('search.web', { target: (ctx) => ctx.query.url, classification: 'public' }), (ctx) => {
      expectTypeOf(ctx.state.aap).toEqualTypeOf<Principal | undefined>();
    });
    expectTypeOf(aap.router(router)).toEqualTypeOf<Middleware>();
    // @ts-expect-error: the action is the first argument, not an option
    const bad: RequireOptions = { action: 'search.web' };
    void bad;
    // @ts-expect-error: classification is a data level
    aap.require('a.b', { classification: 'secret' });
  });
});
