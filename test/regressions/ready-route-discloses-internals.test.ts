/**
 * Regression (issue 23, defect 13): the public readiness route disclosed internals. README's quickstarts
 * mount `aap.health()` (Fastify: `app.aap.health`) on the public API, and its body was `guard.health()`:
 * the internal JWKS URL of every issuer and the last fetch error, with the address and port it failed to
 * reach (`JWKS http://127.0.0.1:41234/jwks is unreachable: connect ECONNREFUSED 127.0.0.1:41234`). Now the
 * public body says ready or not and why, as a stable code — `{ "status": "ready" }` or
 * `{ "status": "not_ready", "reason": "keys_unavailable" }` — and the detail is given only where the app
 * asks for it (`health({ detail: true })`) or calls `guard.health()`. Over real HTTP, on every adapter.
 */
import { createGuard, type Guard } from '@aap-guard/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { Listening } from '../adapters/kit.js';
import { READY_ADAPTERS, refusingUrl, serveReady } from '../helpers/ready-apps.js';

let running: Listening | undefined;
afterEach(() => running?.close());

const AS = 'https://as.example.com';

/** A guard whose JWKS is on a loopback port that refuses connections, after its first fetch failed. */
async function unreachable(): Promise<{ guard: Guard; uri: string }> {
  const uri = await refusingUrl();
  const guard = createGuard({ issuer: AS, audience: 'https://api.example.com', jwks: { uri }, logger: false });
  await guard.ready({ timeoutMs: 2_000 }).catch(() => undefined); // the fetch failed: guard.health() names it
  expect(guard.health().issuers[0]?.lastError).toMatch(/ECONNREFUSED/);
  return { guard, uri };
}

describe.each(READY_ADAPTERS)('the public readiness route (%s)', (adapter) => {
  it('says not ready and why as a stable code, without URL, address, port or error text', async () => {
    const { guard, uri } = await unreachable();
    running = await serveReady(adapter, guard);
    const res = await fetch(`${running.url}/ready`);
    const text = await res.text();
    expect(res.status).toBe(503);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(JSON.parse(text)).toEqual({ status: 'not_ready', reason: 'keys_unavailable' });
    const { port } = new URL(uri);
    for (const secret of [uri, '127.0.0.1', port, 'ECONNREFUSED', 'unreachable', 'http']) {
      expect(text).not.toContain(secret);
    }
  });

  it('gives the detail only on the route that asks for it, health({ detail: true })', async () => {
    const { guard, uri } = await unreachable();
    running = await serveReady(adapter, guard, true);
    const res = await fetch(`${running.url}/ready/detail`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'not_ready', reason: 'keys_unavailable', ready: false });
    expect(body.revocation).toEqual({ synced: true });
    const lastError = expect.stringMatching(/ECONNREFUSED/);
    expect(body.issuers).toEqual([expect.objectContaining({ issuer: AS, uri, loaded: false, lastError })]);
  });
});
