/**
 * Regression: with the JWKS URI unreachable, answering HTML, or discovery failing, every request got
 * 503 `jwks_unavailable` and — with no audit sink — nothing at all was printed. Key-source failures,
 * recoveries and key rotations now reach the guard's logger once per state change, with their cause,
 * never once per request and never with a token.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createGuard, type Guard, type Logger } from '@aap-guard/core';
import { createIssuer, type JwksServer } from '@aap-guard/testing';
import { useGuards } from '../../helpers/guards.js';
import { NOW, bearer, clock } from '../../helpers/tokens.js';

const AUD = 'https://api.example.com';
type Line = { level: string; object: Readonly<Record<string, unknown>>; message: string | undefined };
const lines: Line[] = [];
const record = (level: string) => (object: Readonly<Record<string, unknown>>, message?: string) =>
  void lines.push({ level, object, message });
const logger: Logger = { error: record('error'), warn: record('warn'), info: record('info'), debug: record('debug') };
afterEach(() => {
  lines.length = 0;
});
const { served, make, track } = useGuards({ audience: AUD, logger });

const events = (name: string) => lines.filter((line) => line.object.event === name);

/**
 * Fail a key source, send requests through two backoff periods, heal it, and check the log: one
 * `<component>.down` error with the cause, one `<component>.up` info, no token anywhere.
 */
async function outageAndRecovery(
  component: 'jwks' | 'discovery',
  setup: (server: JwksServer, now: () => number) => Promise<{ guard: Guard; heal: () => Promise<void> }>,
  cause: RegExp,
) {
  const time = clock();
  const server = await served({ keys: [] });
  const as = await createIssuer({ issuer: server.url, now: time.read });
  server.setKeys(as.jwks);
  const { guard, heal } = await setup(server, time.read);
  const tokens: string[] = [];
  const send = async () => {
    const token = await as.mint();
    tokens.push(token);
    return guard.check(bearer(token));
  };
  for (let i = 0; i < 3; i += 1) expect((await send()).reason).toBe('jwks_unavailable');
  time.now += 1_001; // past the first backoff: tried again, failed again
  expect((await send()).reason).toBe('jwks_unavailable');
  expect(events(`${component}.down`)).toHaveLength(1);
  await heal();
  time.now += 2_001;
  expect((await send()).allowed).toBe(true);
  expect((await send()).allowed).toBe(true);
  const down = events(`${component}.down`);
  expect(down).toHaveLength(1);
  expect(down[0]?.level).toBe('error');
  expect(String(down[0]?.object.cause)).toMatch(cause);
  const up = events(`${component}.up`);
  expect(up).toHaveLength(1);
  expect(up[0]?.level).toBe('info');
  expect(lines.filter((line) => line.level === 'error')).toHaveLength(1);
  const text = JSON.stringify(lines);
  for (const token of tokens) expect(text).not.toContain(token);
}

describe('key-source events reach the logger once per state change', () => {
  it('JWKS down: one error line with its cause (connection refused), one recovery line', async () => {
    await outageAndRecovery(
      'jwks',
      async (server, now) => {
        await server.stop();
        return { guard: make({ issuer: server.url, jwks: { uri: server.jwksUri }, now }), heal: () => server.start() };
      },
      /ECONNREFUSED/,
    );
  });

  it('JWKS answering HTML: one error line naming the non-JSON body, one recovery line', async () => {
    await outageAndRecovery(
      'jwks',
      async (server, now) => {
        server.fail('html');
        return {
          guard: make({ issuer: server.url, jwks: { uri: server.jwksUri }, now }),
          heal: async () => server.fail(undefined),
        };
      },
      /not JSON.*text\/html/,
    );
  });

  it('discovery failing: one error line with the metadata status, one recovery line', async () => {
    await outageAndRecovery(
      'discovery',
      async (server, now) => {
        server.fail('error', 'metadata');
        return { guard: make({ issuer: server.url, now }), heal: async () => server.fail(undefined, 'metadata') };
      },
      /500/,
    );
  });

  it('key rotation: one info line with the kids added and removed and the cached tokens evicted', async () => {
    const old = await createIssuer({ kid: 'k-old', now: () => NOW });
    const next = await createIssuer({ kid: 'k-new', now: () => NOW });
    const server = await served(old.jwks);
    const guard = make({ issuer: old.issuer, jwks: { uri: server.jwksUri, cooldownMs: 0 }, now: () => NOW });
    expect((await guard.check(bearer(await old.mint()))).allowed).toBe(true);
    expect(events('jwks.rotated')).toHaveLength(0); // the first load is no rotation
    server.setKeys(next.jwks);
    expect((await guard.check(bearer(await next.mint()))).allowed).toBe(true);
    expect((await guard.check(bearer(await next.mint()))).allowed).toBe(true);
    const rotated = events('jwks.rotated');
    expect(rotated).toHaveLength(1);
    expect(rotated[0]?.level).toBe('info');
    expect(rotated[0]?.object).toMatchObject({ added: ['k-new'], removed: ['k-old'], evicted: 1, uri: server.jwksUri });
  });

  it('the default logger prints the JWKS failure on stderr (no audit sink, no logger option)', async () => {
    const server = await served({ keys: [] });
    await server.stop();
    const as = await createIssuer({ issuer: server.url });
    const written: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => (written.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      // the default logger
      const guard = track(createGuard({ issuer: server.url, audience: AUD, jwks: { uri: server.jwksUri } }));
      expect((await guard.check(bearer(await as.mint()))).reason).toBe('jwks_unavailable');
    } finally {
      process.stderr.write = write;
    }
    const jwksLines = written.filter((line) => line.includes('"jwks.down"'));
    expect(jwksLines).toHaveLength(1);
    expect(JSON.parse(jwksLines[0]!)).toMatchObject({ level: 'error', uri: server.jwksUri });
  });
});
