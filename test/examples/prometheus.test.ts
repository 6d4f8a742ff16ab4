/**
 * examples/prometheus: after allowed and denied requests over real HTTP, GET /metrics (scraped over
 * real HTTP too) shows the decision counters, the check latency histogram and the store latency.
 */
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { createIssuer } from '@aap-guard/testing';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: the examples are plain JavaScript (they run the built packages); here vitest aliases them to src
import { createApp } from '../../examples/prometheus/app.mjs';
// @ts-expect-error: plain JavaScript
import { aapMetrics } from '../../examples/prometheus/metrics.mjs';
// @ts-expect-error: plain JavaScript
import { listenNode } from '../../examples/shared/serve-example.mjs';
// @ts-expect-error: plain JavaScript
import { startExample } from '../../examples/shared/readme-requests.mjs';

const WIKI = encodeURIComponent('https://en.wikipedia.org/wiki/OAuth');

/** `name{labels} value` lines of a Prometheus text exposition, as a map. */
async function scrape(base: string): Promise<Map<string, number>> {
  const res = await fetch(`${base}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  const samples = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    const match = /^(\w+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match) samples.set(match[1]!, Number(match[2]));
  }
  return samples;
}

async function call(base: string, method: string, path: string, token?: string): Promise<number> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  if (method === 'POST') headers['content-type'] = 'application/json';
  const res = await fetch(base + path, { method, headers, body: method === 'POST' ? '{"title":"t"}' : undefined });
  await res.arrayBuffer();
  return res.status;
}

describe('examples/prometheus', () => {
  it('counts allowed and denied decisions, by reason and action, and times checks and store calls', async () => {
    const as = await createIssuer();
    const writer = await as.mint({
      capabilities: [{ action: 'search.web' }, { action: 'cms.create_draft', constraints: { max_drafts_per_day: 1 } }],
    });
    const searcher = await as.mint({ agentId: 'agent-search-02', capabilities: [{ action: 'search.web' }] });
    const metrics = aapMetrics();
    const server = await listenNode(
      createApp(
        { issuer: as.issuer, audience: as.audience, jwks: as.jwks, logger: false },
        { registry: metrics.registry },
      ),
      { port: 0, host: '127.0.0.1' },
    );
    try {
      for (let i = 0; i < 3; i++) expect(await call(server.url, 'GET', `/v1/search?url=${WIKI}`, writer)).toBe(200);
      expect(await call(server.url, 'POST', '/v1/drafts', writer)).toBe(201);
      expect(await call(server.url, 'POST', '/v1/drafts', writer)).toBe(429); // max_drafts_per_day: 1
      expect(await call(server.url, 'GET', `/v1/search?url=${WIKI}`)).toBe(401);
      expect(await call(server.url, 'GET', `/v1/search?url=${WIKI}`)).toBe(401);
      expect(await call(server.url, 'POST', '/v1/drafts', searcher)).toBe(403);

      const samples = await scrape(server.url);
      const decisions = (decision: string, reason: string, action: string) =>
        samples.get(`aap_guard_decisions_total{decision="${decision}",reason="${reason}",action="${action}"}`);
      expect(decisions('allow', '', 'search.web')).toBe(3);
      expect(decisions('allow', '', 'cms.create_draft')).toBe(1);
      expect(decisions('deny', 'rate_limited', 'cms.create_draft')).toBe(1);
      expect(decisions('deny', 'credentials_missing', 'search.web')).toBe(2);
      expect(decisions('deny', 'capability_missing', 'cms.create_draft')).toBe(1);
      expect(samples.get('aap_guard_check_duration_seconds_count{decision="allow"}')).toBe(4);
      expect(samples.get('aap_guard_check_duration_seconds_count{decision="deny"}')).toBe(4);
      expect(samples.get('aap_guard_check_duration_seconds_sum{decision="allow"}')).toBeGreaterThan(0);
      expect(samples.get('aap_guard_store_duration_seconds_count{operation="consume"}')).toBe(2);
      expect([...samples.keys()].join('\n')).not.toContain(writer);
    } finally {
      metrics.stop();
      await server.close();
    }
  });

  const built = ['core', 'express', 'testing'].every((name) =>
    existsSync(new URL(`../../packages/${name}/dist/index.js`, import.meta.url)),
  );
  it.skipIf(!built)(
    'starts with `npm run example:prometheus` alone (demo mode, built packages) and counts on /metrics',
    async () => {
      const started = await startExample(
        fileURLToPath(new URL('../../examples/prometheus/server.mjs', import.meta.url)),
      );
      try {
        expect(await call(started.url, 'GET', `/v1/search?url=${WIKI}`, started.tokens.SEARCHER)).toBe(200);
        expect(await call(started.url, 'GET', `/v1/search?url=${WIKI}`)).toBe(401);
        const samples = await scrape(started.url);
        expect(samples.get('aap_guard_decisions_total{decision="allow",reason="",action="search.web"}')).toBe(1);
        expect(
          samples.get('aap_guard_decisions_total{decision="deny",reason="credentials_missing",action="search.web"}'),
        ).toBe(1);
      } finally {
        await started.stop();
      }
    },
  );
});
