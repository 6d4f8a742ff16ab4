import { aapGuard } from '@aap-guard/koa';
import { createIssuer, serveJwks } from '@aap-guard/testing';
import Koa from 'koa';
import request from 'supertest';
import { afterEach, describe, expect, it, vi } from 'vitest';

describe('@aap-guard/koa: aapGuard() with no argument', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('reads AAP_ISSUER, AAP_AUDIENCE and AAP_JWKS_URI from the environment', async () => {
    const as = await createIssuer({ issuer: 'https://as.test', audience: 'https://api.test' });
    const jwks = await serveJwks(as.jwks);
    try {
      vi.stubEnv('AAP_ISSUER', 'https://as.test');
      vi.stubEnv('AAP_AUDIENCE', 'https://api.test');
      vi.stubEnv('AAP_JWKS_URI', jwks.jwksUri);
      const aap = aapGuard();
      const app = new Koa().use(aap).use((ctx) => {
        ctx.body = { agent: ctx.state.aap?.claims.agent.id };
      });
      const res = await request(app.callback()).get('/').set('authorization', `Bearer ${await as.mint({ agentId: 'env-agent' })}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ agent: 'env-agent' });
      expect((await request(app.callback()).get('/')).status).toBe(401);
      await aap.guard.close();
    } finally {
      await jwks.close();
    }
  });

  it('throws a TypeError naming the variable when it is missing', () => {
    vi.stubEnv('AAP_ISSUER', '');
    expect(() => aapGuard()).toThrow(/AAP_ISSUER/);
  });
});
