import { createIssuer } from '@aap-guard/testing';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: the examples are plain JavaScript (they run the built packages); here vitest aliases them to src
import { createApp } from '../../../examples/fastify/app.mjs';

// The README requests against every example run in test/adapters; here what only the Fastify example has.

describe('examples/fastify', () => {
  it('keeps /health public (aap: false) and answers an unknown path with 404 after authenticating', async () => {
    const as = await createIssuer();
    const app = await createApp({ issuer: as.issuer, audience: as.audience, jwks: as.jwks });
    try {
      const base = await app.listen({ port: 0, host: '127.0.0.1' });
      expect((await fetch(`${base}/health`)).status).toBe(200);
      expect((await fetch(`${base}/nope`, { headers: { authorization: `Bearer ${await as.mint()}` } })).status).toBe(
        404,
      );
      expect((await fetch(`${base}/nope`)).status).toBe(401);
    } finally {
      await app.close(); // closes the guard the plugin created
    }
  });
});
