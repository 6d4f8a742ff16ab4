/**
 * Regression: keys were not bound to issuers. With two trusted issuers sharing one key set, issuer B
 * could sign a token claiming issuer A and it was accepted; and several issuers could not use RFC 8414
 * discovery at all. Now each issuer can have its own keys (its own `jwks`, or discovery from its own
 * metadata), and a token is verified only with the keys of the issuer it names.
 */
import { describe, expect, it } from 'vitest';
import { createGuard, type Guard, type GuardOptions, type Logger } from '@aap-guard/core';
import { createIssuer } from '@aap-guard/testing';
import { useGuards } from '../../helpers/guards.js';
import { NOW, bearer } from '../../helpers/tokens.js';

const AUD = 'https://api.example.com';
const A = 'https://a.example.com';
const B = 'https://b.example.com';
const { served, make } = useGuards({ audience: AUD, now: () => NOW, logger: false });

const outcome = async (guard: Guard, token: string) => {
  const d = await guard.check(bearer(token));
  return d.allowed ? 'allow' : d.reason;
};

describe('keys bound to issuers', () => {
  it('issuer B cannot sign a token claiming issuer A when each issuer has its own keys', async () => {
    const a = await createIssuer({ issuer: A, now: () => NOW });
    const b = await createIssuer({ issuer: B, now: () => NOW });
    const guard = make({
      issuer: [
        { issuer: A, jwks: a.jwks },
        { issuer: B, jwks: b.jwks },
      ],
    });
    expect(await outcome(guard, await a.mint())).toBe('allow');
    expect(await outcome(guard, await b.mint())).toBe('allow');
    expect(await outcome(guard, await b.mint({ claims: { iss: A } }))).toBe('token_key_unknown');
    expect(await outcome(guard, await a.mint({ claims: { iss: B } }))).toBe('token_key_unknown');
    expect(await outcome(guard, await b.mint({ claims: { iss: 'https://c.example.com' } }))).toBe(
      'token_issuer_untrusted',
    );
  });

  it('issuer B cannot sign for issuer A with per-issuer remote JWKS either, and causes no refetch storm', async () => {
    const a = await createIssuer({ issuer: A, now: () => NOW });
    const b = await createIssuer({ issuer: B, now: () => NOW });
    const [jwksA, jwksB] = [await served(a.jwks), await served(b.jwks)];
    const guard = make({
      issuer: [
        { issuer: A, jwks: { uri: jwksA.jwksUri } },
        { issuer: B, jwks: { uri: jwksB.jwksUri } },
      ],
    });
    expect(await outcome(guard, await a.mint())).toBe('allow');
    expect(await outcome(guard, await b.mint())).toBe('allow');
    for (let i = 0; i < 3; i += 1)
      expect(await outcome(guard, await b.mint({ claims: { iss: A } }))).toBe('token_key_unknown');
    expect([jwksA.fetches, jwksB.fetches]).toEqual([1, 1]); // the refetch cooldown holds
  });

  it('several trusted issuers each discover their own keys (RFC 8414), and one cannot sign for the other', async () => {
    const [first, second] = [await served({ keys: [] }), await served({ keys: [] })];
    const a = await createIssuer({ issuer: first.url, now: () => NOW });
    const b = await createIssuer({ issuer: second.url, now: () => NOW });
    first.setKeys(a.jwks);
    second.setKeys(b.jwks);
    const guard = make({ issuer: [first.url, second.url] });
    expect(await outcome(guard, await a.mint())).toBe('allow');
    expect(await outcome(guard, await b.mint())).toBe('allow');
    expect(await outcome(guard, await b.mint({ claims: { iss: first.url } }))).toBe('token_key_unknown');
    expect([first.metadataFetches, second.metadataFetches]).toEqual([1, 1]);
  });

  it('a string issuer next to configured ones uses the top-level jwks; an entry without jwks discovers', async () => {
    const server = await served({ keys: [] });
    const discovered = await createIssuer({ issuer: server.url, now: () => NOW });
    server.setKeys(discovered.jwks);
    const a = await createIssuer({ issuer: A, now: () => NOW });
    const guard = make({ issuer: [A, { issuer: server.url }], jwks: a.jwks });
    expect(await outcome(guard, await a.mint())).toBe('allow');
    expect(await outcome(guard, await discovered.mint())).toBe('allow');
    expect(await outcome(guard, await a.mint({ claims: { iss: server.url } }))).toBe('token_key_unknown');
  });

  it('a top-level jwks shared by several issuers still works, and says so once at startup (warn)', async () => {
    const lines: { level: string; object: Readonly<Record<string, unknown>> }[] = [];
    const record = (level: string) => (object: Readonly<Record<string, unknown>>) => void lines.push({ level, object });
    const logger: Logger = {
      error: record('error'),
      warn: record('warn'),
      info: record('info'),
      debug: record('debug'),
    };
    const a = await createIssuer({ issuer: A, now: () => NOW });
    const guard = make({ issuer: [A, B], jwks: a.jwks, logger });
    expect(await outcome(guard, await a.mint({ claims: { iss: B } }))).toBe('allow'); // one AS, two names: documented
    const shared = lines.filter((line) => line.object.event === 'jwks.shared');
    expect(shared).toHaveLength(1);
    expect(shared[0]?.level).toBe('warn');
    expect(shared[0]?.object.issuers).toEqual([A, B]);
    // Per-issuer entries naming one key set object are explicit: no warning.
    lines.length = 0;
    make({
      issuer: [
        { issuer: A, jwks: a.jwks },
        { issuer: B, jwks: a.jwks },
      ],
      logger,
    });
    expect(lines.filter((line) => line.object.event === 'jwks.shared')).toHaveLength(0);
  });

  it('misconfigured issuer entries are a TypeError naming the option', () => {
    const bad =
      (issuer: unknown, extra: Partial<GuardOptions> = {}) =>
      () =>
        createGuard({ audience: AUD, issuer: issuer as GuardOptions['issuer'], ...extra });
    expect(bad([{ issuer: '' }])).toThrow(/options\.issuer\[0\]\.issuer/);
    expect(bad([{ issuer: A, jwks: { uri: 'not a url' } }])).toThrow(/options\.issuer\[0\]\.jwks\.uri/);
    expect(bad([A, { issuer: A, jwks: { keys: [] } }])).toThrow(/options\.issuer.*listed twice/);
    expect(bad([{ issuer: 'not-a-url' }])).toThrow(/options\.issuer\[0\].*RFC 8414/);
    expect(bad([{ issuer: A, keys: [] }])).toThrow(/options\.issuer\[0\]/);
    expect(bad(42)).toThrow(/options\.issuer/);
  });
});
