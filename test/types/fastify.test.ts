import type { Guard, Principal } from '@aap-guard/core';
import type { AapDecoration } from '@aap-guard/fastify';
import { aapGuard, type AapRouteConfig } from '@aap-guard/fastify';
import Fastify, { type FastifyContextConfig, type FastifyInstance, type FastifyRequest } from 'fastify';
import { describe, expect, expectTypeOf, it } from 'vitest';

// Type-level tests: `tsc -p tsconfig.json` checks the expectTypeOf and @ts-expect-error lines; the
// runtime part shows that what the types refuse is refused when the route is added too.
const options = { issuer: 'https://as.example.com', audience: 'https://api.example.com', jwks: { keys: [] } };

describe('@aap-guard/fastify types', () => {
  it('decorates FastifyRequest with request.aap (module augmentation)', () => {
    expectTypeOf<FastifyRequest['aap']>().toEqualTypeOf<Principal | null>();
    expectTypeOf<FastifyInstance['aap']>().toEqualTypeOf<AapDecoration>();
    expectTypeOf<AapDecoration['guard']>().toEqualTypeOf<Guard>();
  });

  it('types the route option config.aap: a declaration, or false to opt out', async () => {
    expectTypeOf<FastifyContextConfig['aap']>().toEqualTypeOf<AapRouteConfig | false | undefined>();
    expectTypeOf<AapRouteConfig['action']>().toEqualTypeOf<string>();
    expectTypeOf<AapRouteConfig['target']>().toEqualTypeOf<((request: FastifyRequest) => unknown) | undefined>();
    const app = Fastify();
    await app.register(aapGuard, options);
    app.get(
      '/v1/search',
      { config: { aap: { action: 'search.web', purposes: ['research'], target: (request) => request.query } } },
      async (request) => {
        expectTypeOf(request.aap).toEqualTypeOf<Principal | null>();
        return {};
      },
    );
    app.get('/health', { config: { aap: false } }, async () => ({}));
    // @ts-expect-error: a declaration needs an action
    expect(() => app.get('/bad1', { config: { aap: { purposes: ['research'] } } }, async () => ({}))).toThrow(
      TypeError,
    );
    // @ts-expect-error: `true` is not a declaration
    expect(() => app.get('/bad2', { config: { aap: true } }, async () => ({}))).toThrow(TypeError);
    expect(() =>
      // @ts-expect-error: maxSensitivity is a data level
      app.get('/bad3', { config: { aap: { action: 'a.b', maxSensitivity: 'secret' } } }, async () => ({})),
    ).toThrow(TypeError);
    await app.close();
  });

  it('types the plugin options', async () => {
    const app = Fastify();
    // @ts-expect-error: undeclared is 'allow' | 'deny'
    await expect(app.register(aapGuard, { ...options, undeclared: 'maybe' }).ready()).rejects.toThrow(TypeError);
  });
});
