import { createIssuer } from '@aap-guard/testing';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: the example is plain JavaScript (it runs the built packages); here vitest aliases them to src
import { createApp } from '../../../examples/koa/app.mjs';

describe('examples/koa answers as README shows', () => {
  it('allows a granted search and denies a missing token and an action not granted', async () => {
    const as = await createIssuer();
    const { app, guard } = createApp({ issuer: as.issuer, audience: as.audience, jwks: as.jwks });
    try {
      const server = app.callback();
      const token = await as.mint({ capabilities: [{ action: 'search.web' }] });
      const url = encodeURIComponent('https://en.wikipedia.org/wiki/OAuth');
      const ok = await request(server).get(`/v1/search?url=${url}`).set('authorization', `Bearer ${token}`);
      expect(ok.status).toBe(200);
      expect(ok.body.url).toBe('https://en.wikipedia.org/wiki/OAuth');
      const missing = await request(server).get(`/v1/search?url=${url}`);
      expect(missing.status).toBe(401);
      const wrong = await request(server).post('/v1/drafts').set('authorization', `Bearer ${token}`).send({ title: 't' });
      expect(wrong.status).toBe(403);
      expect(wrong.body.reason).toBe('capability_missing');
    } finally {
      await guard.close();
    }
  });
});
