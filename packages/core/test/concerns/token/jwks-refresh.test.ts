/**
 * Regressions of the remote key set's lifetime (draft "JWKS Caching and Refresh"):
 * - the verified-token cache outlived a withdrawn key: a token cached before its `kid` disappeared
 *   from the JWKS was still accepted afterwards;
 * - the JWKS response's `Cache-Control: max-age` was ignored (and the cache age ran on the wall clock,
 *   not the guard's clock).
 * Real signatures, a real JWKS server on 127.0.0.1, the guard's injected clock.
 */
import diagnostics_channel from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { CHANNELS, createGuard, type Guard } from '@aap-guard/core';
import { createIssuer, serveJwks, type JwksServer, type TestIssuer } from '@aap-guard/testing';
import { NOW, bearer, clock } from '../../helpers/tokens.js';

const AUD = 'https://api.example.com';
const ISS = 'https://as.example.com';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function served(jwks: { keys: readonly object[] }, cacheControl?: string): Promise<JwksServer> {
  const server = await serveJwks(jwks, { cacheControl });
  cleanup.push(() => server.close());
  return server;
}

function guardOn(
  server: JwksServer,
  now: () => number,
  extra: { cooldownMs?: number; tokenCacheSize?: number } = {},
): Guard {
  const guard = createGuard({
    issuer: ISS,
    audience: AUD,
    jwks: { uri: server.jwksUri, cooldownMs: extra.cooldownMs ?? 0 },
    now,
    logger: false,
    ...(extra.tokenCacheSize === undefined ? {} : { tokenCacheSize: extra.tokenCacheSize }),
  });
  cleanup.push(() => guard.close());
  return guard;
}

/** Two key pairs of the same authorization server, minting on the test's clock. */
async function rotatingIssuer(now: () => number): Promise<{ old: TestIssuer; next: TestIssuer }> {
  return {
    old: await createIssuer({ issuer: ISS, kid: 'k-old', now }),
    next: await createIssuer({ issuer: ISS, kid: 'k-new', now }),
  };
}

const outcome = async (guard: Guard, token: string) => {
  const d = await guard.check(bearer(token));
  return d.allowed ? 'allow' : d.reason;
};

describe('withdrawn keys and the verified-token cache', () => {
  it('a token cached before its kid is withdrawn from the JWKS is refused once a refresh drops the key', async () => {
    const time = clock();
    const { old, next } = await rotatingIssuer(time.read);
    const server = await served(old.jwks);
    const guard = guardOn(server, time.read);
    const cached = await old.mint();
    expect(await outcome(guard, cached)).toBe('allow');
    expect(await outcome(guard, cached)).toBe('allow'); // served from the verified-token cache
    server.setKeys(next.jwks); // the AS withdraws k-old
    expect(await outcome(guard, await next.mint())).toBe('allow'); // unknown kid: refetch, k-old is gone
    expect(server.fetches).toBe(2);
    expect(await outcome(guard, cached)).toBe('token_key_unknown');
  });

  it('a cached token is re-checked against the key set once the JWKS cache expires (Cache-Control max-age)', async () => {
    const time = clock();
    const { old, next } = await rotatingIssuer(time.read);
    const server = await served(old.jwks, 'public, max-age=300');
    const guard = guardOn(server, time.read, { cooldownMs: 30_000 });
    const cached = await old.mint();
    expect(await outcome(guard, cached)).toBe('allow');
    server.setKeys(next.jwks);
    time.now += 299_000;
    expect(await outcome(guard, cached)).toBe('allow'); // still fresh: no refetch
    expect(server.fetches).toBe(1);
    time.now += 2_000;
    expect(await outcome(guard, cached)).toBe('token_key_unknown');
    expect(server.fetches).toBe(2);
  });

  it('a refresh that keeps a key keeps the tokens it verified cached', async () => {
    const time = clock();
    const { old, next } = await rotatingIssuer(time.read);
    const server = await served(old.jwks);
    const guard = guardOn(server, time.read);
    const cached = await old.mint();
    expect(await outcome(guard, cached)).toBe('allow');
    server.setKeys({ keys: [...old.jwks.keys, ...next.jwks.keys] }); // k-new added, k-old kept
    expect(await outcome(guard, await next.mint())).toBe('allow');
    expect(await outcome(guard, cached)).toBe('allow');
    expect(server.fetches).toBe(2);
  });

  it('a key replaced under the same kid evicts what the old key verified', async () => {
    const time = clock();
    const first = await createIssuer({ issuer: ISS, kid: 'k1', now: time.read });
    const second = await createIssuer({ issuer: ISS, kid: 'k1', now: time.read });
    const server = await served(first.jwks, 'max-age=300');
    const guard = guardOn(server, time.read);
    const cached = await first.mint();
    expect(await outcome(guard, cached)).toBe('allow');
    server.setKeys(second.jwks); // same kid, other key material
    time.now += 301_000;
    expect(await outcome(guard, await second.mint())).toBe('allow');
    expect(await outcome(guard, cached)).toBe('token_signature_invalid'); // re-verified against the new key
  });
});

describe('JWKS Cache-Control (draft: cache ≥ 5 min, ≤ 24 h, respect Cache-Control)', () => {
  /** Fetches after a first request, then after `before` and `after` ms (each request a new token, no token cache). */
  async function fetchesAround(cacheControl: string | undefined, before: number, after: number): Promise<number[]> {
    const time = clock();
    const as = await createIssuer({ issuer: ISS, now: time.read });
    const server = await served(as.jwks, cacheControl);
    const guard = guardOn(server, time.read, { tokenCacheSize: 0, cooldownMs: 60_000 });
    const counts: number[] = [];
    for (const at of [0, before, after]) {
      time.now = NOW + at;
      expect(await outcome(guard, await as.mint())).toBe('allow');
      counts.push(server.fetches);
    }
    return counts;
  }

  it('JWKS Cache-Control max-age is honoured: fresh for max-age, refetched after', async () => {
    expect(await fetchesAround('public, max-age=3600', 30 * MINUTE, HOUR + 1_000)).toEqual([1, 1, 2]);
  });

  it('JWKS Cache-Control max-age below 5 minutes is raised to 5 minutes', async () => {
    expect(await fetchesAround('max-age=10', 4 * MINUTE, 5 * MINUTE + 1_000)).toEqual([1, 1, 2]);
    expect(await fetchesAround('no-store', 4 * MINUTE, 5 * MINUTE + 1_000)).toEqual([1, 1, 2]);
  });

  it('JWKS Cache-Control max-age above 24 hours is capped at 24 hours', async () => {
    expect(await fetchesAround('max-age=172800', 23 * HOUR, 24 * HOUR + 1_000)).toEqual([1, 1, 2]);
  });

  it('without Cache-Control the JWKS is fresh for cacheMaxAgeMs (default 10 minutes) on the guard clock', async () => {
    expect(await fetchesAround(undefined, 9 * MINUTE, 10 * MINUTE + 1_000)).toEqual([1, 1, 2]);
  });
});

describe('fetch publication', () => {
  it('every JWKS and metadata fetch (not every lookup) is published on aap-guard:jwks', async () => {
    const time = clock();
    const server = await served({ keys: [] });
    const as = await createIssuer({ issuer: server.url, now: time.read });
    server.setKeys(as.jwks);
    const seen: string[] = [];
    const start = (message: unknown) => void seen.push(String((message as { uri?: unknown }).uri));
    const handlers = {
      start,
      end: () => undefined,
      asyncStart: () => undefined,
      asyncEnd: () => undefined,
      error: () => undefined,
    };
    const channel = diagnostics_channel.tracingChannel(CHANNELS.jwks);
    channel.subscribe(handlers);
    try {
      const guard = createGuard({
        issuer: server.url,
        audience: AUD,
        now: time.read,
        logger: false,
        tokenCacheSize: 0,
      });
      cleanup.push(() => guard.close());
      for (let i = 0; i < 3; i += 1) expect(await outcome(guard, await as.mint())).toBe('allow');
    } finally {
      channel.unsubscribe(handlers);
    }
    expect(seen).toEqual([`${server.url}/.well-known/oauth-authorization-server`, server.jwksUri]);
  });
});
