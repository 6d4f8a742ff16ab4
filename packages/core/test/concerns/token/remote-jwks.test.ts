import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createGuard, optionsFromEnv, type GuardOptions } from '@aap-guard/core';
import { createIssuer, serveJwks, type JwksServer } from '@aap-guard/testing';
import { NOW, bearer, clock } from '../../helpers/tokens.js';

const AUD = 'https://api.example.com';
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function served(jwks: { keys: readonly object[] }, options: { issuer?: string } = {}): Promise<JwksServer> {
  const server = await serveJwks(jwks, options);
  cleanup.push(() => server.close());
  return server;
}

/** A loopback server answering with `handler`; returns its base URL. */
async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server: Server = createServer(handler);
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

describe('remote JWKS', () => {
  it('fetches once, then serves from cache', async () => {
    const as = await createIssuer({ now: () => NOW });
    const server = await served(as.jwks);
    const guard = createGuard({
      issuer: as.issuer,
      audience: AUD,
      jwks: { uri: server.jwksUri },
      now: () => NOW,
      tokenCacheSize: 0,
    });
    for (let i = 0; i < 3; i += 1) expect((await guard.check(bearer(await as.mint()))).allowed).toBe(true);
    expect(server.fetches).toBe(1);
  });

  it('an unknown kid refetches a rotated key set; within the cooldown it does not', async () => {
    const old = await createIssuer({ now: () => NOW });
    const next = await createIssuer({ now: () => NOW });
    const server = await served(old.jwks);
    const eager = createGuard({
      issuer: old.issuer,
      audience: AUD,
      jwks: { uri: server.jwksUri, cooldownMs: 0 },
      now: () => NOW,
    });
    const patient = createGuard({
      issuer: old.issuer,
      audience: AUD,
      jwks: { uri: server.jwksUri, cooldownMs: 60_000 },
      now: () => NOW,
    });
    expect((await eager.check(bearer(await old.mint()))).allowed).toBe(true);
    expect((await patient.check(bearer(await old.mint()))).allowed).toBe(true);
    expect(server.fetches).toBe(2);
    server.setKeys(next.jwks); // rotation
    const rotated = await next.mint();
    expect((await eager.check(bearer(rotated))).allowed).toBe(true);
    expect(server.fetches).toBe(3);
    expect((await patient.check(bearer(rotated))).reason).toBe('token_key_unknown');
    expect(server.fetches).toBe(3);
  });

  it('concurrent first requests share one fetch', async () => {
    const as = await createIssuer({ now: () => NOW });
    const server = await served(as.jwks);
    const guard = createGuard({ issuer: as.issuer, audience: AUD, jwks: { uri: server.jwksUri }, now: () => NOW });
    const tokens = await Promise.all([1, 2, 3, 4].map(() => as.mint()));
    const decisions = await Promise.all(tokens.map((t) => guard.check(bearer(t))));
    expect(decisions.every((d) => d.allowed)).toBe(true);
    expect(server.fetches).toBe(1);
  });

  it('JWKS server down: 503 jwks_unavailable, then backoff without refetching', async () => {
    const as = await createIssuer({ now: () => NOW });
    const base = await listen((_req, res) => res.writeHead(500).end());
    const time = clock();
    let hits = 0;
    const counting = await listen((_req, res) => {
      hits += 1;
      res.writeHead(500).end();
    });
    const down = createGuard({ issuer: as.issuer, audience: AUD, jwks: { uri: `${base}/jwks` }, now: time.read });
    const d = await down.check(bearer(await as.mint()));
    expect([d.status, d.error, d.reason]).toEqual([503, 'temporarily_unavailable', 'jwks_unavailable']);
    expect(d.headers['retry-after']).toBeDefined();
    const backing = createGuard({
      issuer: as.issuer,
      audience: AUD,
      jwks: { uri: `${counting}/jwks` },
      now: time.read,
    });
    const token = await as.mint();
    expect((await backing.check(bearer(token))).reason).toBe('jwks_unavailable');
    expect((await backing.check(bearer(token))).reason).toBe('jwks_unavailable');
    expect(hits).toBe(1); // second request inside the 1 s backoff
    time.now += 1_001;
    expect((await backing.check(bearer(token))).reason).toBe('jwks_unavailable');
    expect(hits).toBe(2);
  });

  it('connection refused and a hanging server: 503 within the timeout, never a hang', async () => {
    const as = await createIssuer({ now: () => NOW });
    const closed = await listen(() => undefined);
    await cleanup.pop()!(); // now nothing listens on that port
    const refused = createGuard({ issuer: as.issuer, audience: AUD, jwks: { uri: `${closed}/jwks` }, now: () => NOW });
    expect((await refused.check(bearer(await as.mint()))).reason).toBe('jwks_unavailable');
    const hanging = await listen(() => undefined); // accepts, never answers
    const slow = createGuard({
      issuer: as.issuer,
      audience: AUD,
      jwks: { uri: `${hanging}/jwks`, timeoutMs: 200 },
      now: () => NOW,
    });
    const d = await slow.check(bearer(await as.mint()));
    expect([d.status, d.reason]).toEqual([503, 'jwks_unavailable']);
  });

  it('a garbage JWKS response is 503, not 401', async () => {
    const as = await createIssuer({ now: () => NOW });
    for (const body of ['not json', '{"keys":"nope"}', '[]']) {
      const base = await listen((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
      const guard = createGuard({ issuer: as.issuer, audience: AUD, jwks: { uri: `${base}/jwks` }, now: () => NOW });
      expect((await guard.check(bearer(await as.mint()))).reason, body).toBe('jwks_unavailable');
    }
  });
});

describe('discovery from issuer metadata (RFC 8414)', () => {
  it('discovers jwks_uri lazily from /.well-known/oauth-authorization-server', async () => {
    const server = await served({ keys: [] });
    const as = await createIssuer({ issuer: server.url, now: () => NOW });
    server.setKeys(as.jwks);
    const guard = createGuard({ issuer: server.url, audience: AUD, now: () => NOW });
    expect(server.fetches).toBe(0); // lazy
    expect((await guard.check(bearer(await as.mint()))).allowed).toBe(true);
    expect(server.fetches).toBe(1);
  });

  it('inserts the well-known segment before the issuer path, then falls back to openid-configuration', async () => {
    const as = await createIssuer({ now: () => NOW });
    const seen: string[] = [];
    let base = '';
    base = await listen((req, res) => {
      seen.push(req.url ?? '');
      if (req.url === '/tenant/.well-known/openid-configuration') {
        return res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ issuer: `${base}/tenant`, jwks_uri: `${base}/keys` }));
      }
      if (req.url === '/keys')
        return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(as.jwks));
      res.writeHead(404).end();
    });
    const token = await (await createIssuer({ issuer: `${base}/tenant`, now: () => NOW })).mint();
    const guard = createGuard({ issuer: `${base}/tenant`, audience: AUD, jwks: undefined, now: () => NOW });
    expect((await guard.check(bearer(token))).reason).toBe('token_key_unknown'); // different key pair: discovery worked
    expect(seen.slice(0, 3)).toEqual([
      '/.well-known/oauth-authorization-server/tenant',
      '/tenant/.well-known/openid-configuration',
      '/keys',
    ]);
  });

  it('metadata naming another issuer is refused (RFC 8414 §3.3): 503', async () => {
    const server = await served({ keys: [] }, { issuer: 'https://evil.example.com' });
    const as = await createIssuer({ issuer: server.url, now: () => NOW });
    server.setKeys(as.jwks);
    const guard = createGuard({ issuer: server.url, audience: AUD, now: () => NOW });
    expect((await guard.check(bearer(await as.mint()))).reason).toBe('jwks_unavailable');
    expect(server.fetches).toBe(0);
  });

  it('optionsFromEnv: AAP_JWKS_URI, or discovery without it', async () => {
    const server = await served({ keys: [] });
    const as = await createIssuer({ issuer: server.url, now: () => NOW });
    server.setKeys(as.jwks);
    const env = { AAP_ISSUER: server.url, AAP_AUDIENCE: `${AUD} https://other.example.com` };
    const discovered = createGuard({ ...optionsFromEnv(env).options, now: () => NOW } as GuardOptions);
    expect((await discovered.check(bearer(await as.mint()))).allowed).toBe(true);
    const explicit = createGuard({
      ...optionsFromEnv({ ...env, AAP_JWKS_URI: server.jwksUri }).options,
      now: () => NOW,
    } as GuardOptions);
    expect((await explicit.check(bearer(await as.mint()))).allowed).toBe(true);
    expect(() => createGuard({ ...optionsFromEnv({ AAP_AUDIENCE: AUD }).options } as GuardOptions)).toThrow(
      /AAP_ISSUER/,
    );
    expect(() => optionsFromEnv({ ...env, AAP_JWKS_URL: server.jwksUri })).toThrow(
      /AAP_JWKS_URL .*did you mean AAP_JWKS_URI/,
    );
  });
});
