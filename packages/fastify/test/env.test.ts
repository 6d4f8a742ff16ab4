import { aapGuard } from '@aap-guard/fastify';
import { createIssuer, serveJwks } from '@aap-guard/testing';
import Fastify from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';

describe('@aap-guard/fastify: registered without guard options', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('reads AAP_ISSUER, AAP_AUDIENCE and AAP_JWKS_URI, and closes the guard it created with the app', async () => {
    const as = await createIssuer({ issuer: 'https://as.test', audience: 'https://api.test' });
    const jwks = await serveJwks(as.jwks);
    const app = Fastify();
    try {
      vi.stubEnv('AAP_ISSUER', 'https://as.test');
      vi.stubEnv('AAP_AUDIENCE', 'https://api.test');
      vi.stubEnv('AAP_JWKS_URI', jwks.jwksUri);
      await app.register(aapGuard, { undeclared: 'allow' });
      app.get('/', async (request) => ({ agent: request.aap?.claims.agent.id }));
      const res = await app.inject({ url: '/', headers: { authorization: `Bearer ${await as.mint({ agentId: 'env-agent' })}` } });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ agent: 'env-agent' });
      expect((await app.inject({ url: '/' })).statusCode).toBe(401);
    } finally {
      await app.close();
      await jwks.close();
    }
  });

  it('fails registration with a TypeError naming the variable when it is missing', async () => {
    vi.stubEnv('AAP_ISSUER', '');
    const app = Fastify();
    await expect(app.register(aapGuard).ready()).rejects.toThrow(/AAP_ISSUER/);
  });

  it("rejects an undeclared option other than 'allow' or 'deny'", async () => {
    const app = Fastify();
    // @ts-expect-error: a wrong value on purpose
    await expect(app.register(aapGuard, { issuer: 'https://as.test', audience: 'https://api.test', jwks: { keys: [] }, undeclared: 'maybe' }).ready()).rejects.toThrow(TypeError);
  });
});
