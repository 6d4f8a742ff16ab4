/**
 * Readiness: startup used to succeed with an unreachable, HTML-answering or mis-described key source, and
 * every request then got 503. `guard.ready({ timeoutMs })` prefetches discovery and every issuer's JWKS
 * and waits for the revocation list, rejecting within its timeout with an error that names the cause;
 * `guard.health()` reports the same for readiness probes, without fetching anything.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createGuard, NotReadyError, type Guard, type GuardOptions } from '@aap-guard/core';
import { createIssuer, serveJwks, type JwksServer } from '@aap-guard/testing';
import { NOW, bearer, clock } from '../helpers/tokens.js';

const AUD = 'https://api.example.com';
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function served(jwks: { keys: readonly object[] }, issuer?: string): Promise<JwksServer> {
  const server = await serveJwks(jwks, { issuer });
  cleanup.push(() => server.close());
  return server;
}

function make(options: Partial<GuardOptions> & Pick<GuardOptions, 'issuer'>): Guard {
  const guard = createGuard({ audience: AUD, logger: false, ...options });
  cleanup.push(() => guard.close());
  return guard;
}

/** A loopback server that accepts connections and never answers. */
async function silent(): Promise<string> {
  const server: Server = createServer(() => undefined);
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(
    () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** `ready()` must reject within its timeout (plus scheduling slack) with a NotReadyError matching `cause`. */
async function rejectsNaming(guard: Guard, cause: RegExp, timeoutMs = 1_000): Promise<NotReadyError> {
  const started = performance.now();
  const error = await guard.ready({ timeoutMs }).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(performance.now() - started).toBeLessThan(timeoutMs + 500);
  expect(error).toBeInstanceOf(NotReadyError);
  expect((error as Error).message).toMatch(cause);
  return error as NotReadyError;
}

describe('guard.ready()', () => {
  it('resolves once discovery and every issuer’s JWKS are loaded and the revocation list is in sync', async () => {
    const remote = await served({ keys: [] });
    const discovered = await served({ keys: [] });
    const a = await createIssuer({ issuer: 'https://a.example.com', now: () => NOW });
    const b = await createIssuer({ issuer: discovered.url, now: () => NOW });
    remote.setKeys(a.jwks);
    discovered.setKeys(b.jwks);
    const guard = make({ issuer: [{ issuer: a.issuer, jwks: { uri: remote.jwksUri } }, b.issuer], now: () => NOW });
    await guard.ready({ timeoutMs: 2_000 });
    expect([remote.fetches, discovered.metadataFetches, discovered.fetches]).toEqual([1, 1, 1]);
    expect((await guard.check(bearer(await a.mint()))).allowed).toBe(true);
    expect((await guard.check(bearer(await b.mint()))).allowed).toBe(true);
    expect([remote.fetches, discovered.fetches]).toEqual([1, 1]); // prefetched: no fetch on the request path
    await guard.ready({ timeoutMs: 2_000 }); // ready again: nothing refetched
    expect([remote.fetches, discovered.fetches]).toEqual([1, 1]);
  });

  it('resolves at once for local keys and a key function', async () => {
    const as = await createIssuer();
    await make({ issuer: as.issuer, jwks: as.jwks }).ready({ timeoutMs: 100 });
    await make({ issuer: as.issuer, jwks: () => as.jwks.keys[0]! }).ready({ timeoutMs: 100 });
  });

  it('ready() rejects within its timeout naming an unreachable JWKS URI', async () => {
    const server = await served({ keys: [] });
    await server.stop();
    const error = await rejectsNaming(
      make({ issuer: 'https://as.example.com', jwks: { uri: server.jwksUri } }),
      /unreachable.*ECONNREFUSED/,
    );
    expect(error.message).toContain(server.jwksUri);
    expect(error.causes).toHaveLength(1);
  });

  it('ready() rejects within its timeout naming a non-JSON body', async () => {
    const server = await served({ keys: [] });
    server.fail('html');
    await rejectsNaming(
      make({ issuer: 'https://as.example.com', jwks: { uri: server.jwksUri } }),
      /not JSON.*text\/html/,
    );
  });

  it('ready() rejects within its timeout naming a bad key set', async () => {
    const server = await served({ keys: [] });
    server.fail('not-jwks');
    await rejectsNaming(
      make({ issuer: 'https://as.example.com', jwks: { uri: server.jwksUri } }),
      /not a JSON Web Key Set/,
    );
  });

  it('ready() rejects within its timeout naming a metadata issuer mismatch', async () => {
    const server = await served({ keys: [] }, 'https://evil.example.com');
    await rejectsNaming(make({ issuer: server.url }), /metadata.*issuer.*evil\.example\.com/);
    expect(server.fetches).toBe(0);
  });

  it('ready() rejects within its timeout naming a JWKS that does not answer', async () => {
    const base = await silent();
    await rejectsNaming(
      make({ issuer: 'https://as.example.com', jwks: { uri: `${base}/jwks` } }),
      /did not answer within 300 ms/,
      300,
    );
  });

  it('ready() names every failing issuer', async () => {
    // both servers listen before one stops: a port freed first could be handed to the second (the flake
    // this order fixes — both issuers then named the same HTML-answering JWKS)
    const down = await served({ keys: [] });
    const html = await served({ keys: [] });
    await down.stop();
    html.fail('html');
    const guard = make({
      issuer: [
        { issuer: 'https://a.example.com', jwks: { uri: down.jwksUri } },
        { issuer: 'https://b.example.com', jwks: { uri: html.jwksUri } },
      ],
    });
    const error = await rejectsNaming(guard, /https:\/\/a\.example\.com.*ECONNREFUSED/s);
    expect(error.message).toMatch(/https:\/\/b\.example\.com.*not JSON/s);
    expect(error.causes).toHaveLength(2);
  });

  it('a timeoutMs that is not a positive integer is a TypeError naming it', async () => {
    const as = await createIssuer();
    const guard = make({ issuer: as.issuer, jwks: as.jwks });
    await expect(guard.ready({ timeoutMs: 0 })).rejects.toThrow(/timeoutMs/);
    await expect(guard.ready({ timeoutMs: Number.NaN })).rejects.toThrow(TypeError);
  });
});

describe('guard.health()', () => {
  it('reports JWKS age per issuer, the last fetch error and the revocation sync state, without fetching', async () => {
    const time = clock();
    const server = await served({ keys: [] });
    const as = await createIssuer({ issuer: 'https://a.example.com', now: time.read });
    server.setKeys(as.jwks);
    const guard = make({
      issuer: [
        { issuer: as.issuer, jwks: { uri: server.jwksUri } },
        { issuer: 'https://b.example.com', jwks: as.jwks },
      ],
      now: time.read,
    });
    const before = guard.health();
    expect(before.ready).toBe(false);
    expect(before.reason).toBe('keys_pending');
    expect(before.issuers.map((entry) => [entry.issuer, entry.source, entry.loaded])).toEqual([
      ['https://a.example.com', 'remote', false],
      ['https://b.example.com', 'local', true],
    ]);
    expect(server.fetches).toBe(0);
    await guard.ready({ timeoutMs: 1_000 });
    time.now += 42_000;
    const after = guard.health();
    expect(after.ready).toBe(true);
    expect(after.reason).toBeUndefined();
    expect(after.revocation.synced).toBe(true);
    expect(after.issuers[0]).toMatchObject({
      issuer: as.issuer,
      uri: server.jwksUri,
      loaded: true,
      ageMs: 42_000,
      keys: 1,
      lastError: undefined,
    });
    server.fail('html');
    time.now += 600_001; // the set went stale: a request refreshes it, the refresh fails
    expect((await guard.check(bearer(await as.mint()))).allowed).toBe(true); // the last good set keeps serving
    const failing = guard.health();
    expect(failing.issuers[0]?.lastError).toMatch(/not JSON/);
    expect(failing.issuers[0]?.stale).toBe(true);
    expect(failing.ready).toBe(false);
    expect(failing.reason).toBe('keys_unavailable');
  });
});
