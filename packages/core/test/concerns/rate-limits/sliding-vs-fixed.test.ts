/**
 * Window semantics end to end, through `guard.check()` with real signed tokens and a frozen, stepped
 * clock: N requests at the end of one minute and N at the start of the next are NOT all admitted
 * under `sliding` (never more than N in any 60 s), and ARE under `fixed` (clock-aligned buckets).
 */
import { createGuard, memoryStore, type RateLimitMode } from '@aap-guard/core';
import { createIssuer } from '@aap-guard/testing';
import { describe, expect, it } from 'vitest';

const N = 5;
const MINUTE_START = Date.UTC(2025, 0, 1, 12, 1, 0); // 12:01:00Z

async function burst(mode: RateLimitMode): Promise<number[]> {
  let clock = MINUTE_START - 10_000;
  const issuer = await createIssuer({ now: () => clock });
  const guard = createGuard({
    issuer: issuer.issuer,
    audience: issuer.audience,
    jwks: issuer.jwks,
    now: () => clock,
    store: memoryStore(),
    rateLimit: { mode },
  });
  const token = await issuer.mint({
    capabilities: [{ action: 'api.call', constraints: { max_requests_per_minute: N } }],
  });
  const request = {
    method: 'GET',
    url: 'https://api.example.com/v1/call',
    headers: { authorization: `Bearer ${token}` },
  };
  const statuses: number[] = [];
  const at = [
    ...Array.from({ length: N }, (_, i) => MINUTE_START - 5000 + i * 1000), // 12:00:55 … 12:00:59
    ...Array.from({ length: N }, (_, i) => MINUTE_START + i * 1000), //        12:01:00 … 12:01:04
  ];
  for (const time of at) {
    clock = time;
    statuses.push((await guard.check(request, { action: 'api.call' })).status);
  }
  await guard.close();
  return statuses;
}

describe('sliding vs fixed windows (injected clock)', () => {
  it(`sliding: ${N} at the end of a minute + ${N} at the start of the next are not all admitted`, async () => {
    expect(await burst('sliding')).toEqual([...Array(N).fill(200), ...Array(N).fill(429)]);
  });

  it(`fixed: the same ${2 * N} requests are all admitted`, async () => {
    expect(await burst('fixed')).toEqual(Array(2 * N).fill(200));
  });
});
