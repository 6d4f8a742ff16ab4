import { createIssuer } from '@aap-guard/testing';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: the example is plain JavaScript (it runs the built packages); here vitest aliases them to src
import { createApp } from '../../../examples/fastify/app.mjs';

describe('examples/fastify answers as README shows', () => {
  it('allows a granted search, denies a missing token and an action not granted; /health is public', async () => {
    const as = await createIssuer();
    const app = await createApp({ issuer: as.issuer, audience: as.audience, jwks: as.jwks });
    try {
      const token = await as.mint({ capabilities: [{ action: 'search.web' }] });
      const url = encodeURIComponent('https://en.wikipedia.org/wiki/OAuth');
      const ok = await app.inject({ url: `/v1/search?url=${url}`, headers: { authorization: `Bearer ${token}` } });
      expect(ok.statusCode).toBe(200);
      expect(ok.json().url).toBe('https://en.wikipedia.org/wiki/OAuth');
      const missing = await app.inject({ url: `/v1/search?url=${url}` });
      expect(missing.statusCode).toBe(401);
      expect((await app.inject({ url: '/health' })).statusCode).toBe(200);
      const wrong = await app.inject({ method: 'POST', url: '/v1/drafts', headers: { authorization: `Bearer ${token}` }, payload: { title: 't' } });
      expect(wrong.statusCode).toBe(403);
      expect(wrong.json().reason).toBe('capability_missing');
    } finally {
      await app.close(); // closes the guard the plugin created
    }
  });
});
