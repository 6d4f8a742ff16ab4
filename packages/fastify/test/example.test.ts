import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createIssuer } from '@aap-guard/testing';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: the examples are plain JavaScript (they run the built packages); here vitest aliases them to src
import { createApp } from '../../../examples/fastify/app.mjs';
// @ts-expect-error: plain JavaScript
import { DEMO_AGENTS } from '../../../examples/shared/demo-support.mjs';
// @ts-expect-error: plain JavaScript
import { README_OUTCOMES, readmeRequests, startExample } from '../../../examples/shared/readme-requests.mjs';

const server = fileURLToPath(new URL('../../../examples/fastify/server.mjs', import.meta.url));
const built = ['core', 'fastify', 'testing'].every((name) => existsSync(new URL(`../../${name}/dist/index.js`, import.meta.url)));
const outcomes = (rows: Array<{ name: string; status: number; body?: { reason?: string } }>) => rows.map((r) => [r.name, r.status, r.body?.reason]);

describe('examples/fastify answers as README shows', () => {
  it('allows and denies README requests, and holds publishing for a human (sources)', async () => {
    const as = await createIssuer();
    const app = await createApp({ issuer: as.issuer, audience: as.audience, jwks: as.jwks }, { adminKey: 'k'.repeat(24) });
    try {
      const base = await app.listen({ port: 0, host: '127.0.0.1' });
      const tokens = { WRITER: await as.mint(DEMO_AGENTS.WRITER), SEARCHER: await as.mint(DEMO_AGENTS.SEARCHER) };
      expect(outcomes(await readmeRequests(base, tokens, 'k'.repeat(24)))).toEqual(README_OUTCOMES);
      expect((await fetch(`${base}/health`)).status).toBe(200); // opted out: public
      const undeclared = await fetch(`${base}/nope`, { headers: { authorization: `Bearer ${tokens.WRITER}` } });
      expect(undeclared.status).toBe(404);
    } finally {
      await app.close(); // closes the guard the plugin created
    }
  });

  it.skipIf(!built)('starts with `npm run example:fastify` alone (demo mode, built packages) and answers README requests', async () => {
    const example = await startExample(server);
    try {
      expect(outcomes(await readmeRequests(example.url, example.tokens, example.adminKey))).toEqual(README_OUTCOMES);
    } finally {
      await example.stop();
    }
  });
});
