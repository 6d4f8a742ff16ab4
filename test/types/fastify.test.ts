import type { Principal } from '@aap-guard/core';
import { aapGuard, type AapRouteConfig } from '@aap-guard/fastify';
import Fastify, { type FastifyContextConfig, type FastifyRequest } from 'fastify';
import { describe, expectTypeOf, it } from 'vitest';

// Type-level checks, enforced by `tsc -p tsconfig.json` (the runtime part only builds routes).
describe('@aap-guard/fastify types', () => {
  it('decorates FastifyRequest with request.aap', () => {
    expectTypeOf<FastifyRequest['aap']>().toEqualTypeOf<Principal | null>();
  });

  it('types the route option config.aap (declaration or false)', () => {
    expectTypeOf<FastifyContextConfig['aap']>().toEqualTypeOf<AapRouteConfig | false | undefined>();
    expectTypeOf<AapRouteConfig['target']>().toEqualTypeOf<((request: FastifyRequest) => unknown) | undefined>();
    const app = Fastify();
    void app.register(aapGuard, { issuer: 'https://as.example.com', audience: 'https://api.example.com', jwks: { keys: [] } });
    app.get('/ok', { config: { aap: { action: 'search.web', purposes: ['research'], target: (request) => request.query } } }, async (request) => {
      expectTypeOf(request.aap).toEqualTypeOf<Principal | null>();
      return {};
    });
    app.get('/public', { config: { aap: false } }, async () => ({}));
    // @ts-expect-error: a declaration needs an action
    app.get('/bad', { config: { aap: { purposes: ['research'] } } }, async () => ({}));
    // @ts-expect-error: `true` is not a declaration
    app.get('/bad2', { config: { aap: true } }, async () => ({}));
    // @ts-expect-error: maxSensitivity is a data level
    app.get('/bad3', { config: { aap: { action: 'a.b', maxSensitivity: 'secret' } } }, async () => ({}));
  });

  it('types the plugin options', () => {
    // @ts-expect-error: undeclared is 'allow' | 'deny'
    void Fastify().register(aapGuard, { issuer: 'x', audience: 'y', undeclared: 'maybe' });
  });
});
