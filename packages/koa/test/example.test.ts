import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createIssuer } from '@aap-guard/testing';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: the examples are plain JavaScript (they run the built packages); here vitest aliases them to src
import { createApp } from '../../../examples/koa/app.mjs';
// @ts-expect-error: plain JavaScript
import { DEMO_AGENTS } from '../../../examples/shared/demo-support.mjs';
// @ts-expect-error: plain JavaScript
import { README_OUTCOMES, readmeRequests, startExample } from '../../../examples/shared/readme-requests.mjs';

const server = fileURLToPath(new URL('../../../examples/koa/server.mjs', import.meta.url));
const built = ['core', 'koa', 'testing'].every((name) => existsSync(new URL(`../../${name}/dist/index.js`, import.meta.url)));
const outcomes = (rows: Array<{ name: string; status: number; body?: { reason?: string } }>) => rows.map((r) => [r.name, r.status, r.body?.reason]);

describe('examples/koa answers as README shows', () => {
  it('allows and denies README requests, and holds publishing for a human (sources)', async () => {
    const as = await createIssuer();
    const { app, guard } = createApp({ issuer: as.issuer, audience: as.audience, jwks: as.jwks }, { adminKey: 'k'.repeat(24) });
    const listening: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const tokens = { WRITER: await as.mint(DEMO_AGENTS.WRITER), SEARCHER: await as.mint(DEMO_AGENTS.SEARCHER) };
      const rows = await readmeRequests(`http://127.0.0.1:${(listening.address() as AddressInfo).port}`, tokens, 'k'.repeat(24));
      expect(outcomes(rows)).toEqual(README_OUTCOMES);
    } finally {
      listening.closeAllConnections();
      await new Promise((resolve) => listening.close(resolve));
      await guard.close();
    }
  });

  it.skipIf(!built)('starts with `npm run example:koa` alone (demo mode, built packages) and answers README requests', async () => {
    const example = await startExample(server);
    try {
      expect(outcomes(await readmeRequests(example.url, example.tokens, example.adminKey))).toEqual(README_OUTCOMES);
    } finally {
      await example.stop();
    }
  });
});
