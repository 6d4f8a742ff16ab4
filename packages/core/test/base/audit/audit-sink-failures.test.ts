/**
 * Regression: an async audit sink that rejected killed the process (unhandled rejection), and a sink
 * that threw was swallowed silently. Both must leave the decision unchanged, never become an unhandled
 * rejection, and reach the logger once per outage (with the cause), then once on recovery.
 */
import { createGuard, type Logger } from '@aap-guard/core';
import { createIssuer } from '@aap-guard/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const lines: { level: string; object: Record<string, unknown>; message?: string | undefined }[] = [];
const logger: Logger = {
  error: (object, message) => void lines.push({ level: 'error', object, message }),
  warn: (object, message) => void lines.push({ level: 'warn', object, message }),
  info: (object, message) => void lines.push({ level: 'info', object, message }),
  debug: (object, message) => void lines.push({ level: 'debug', object, message }),
};
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeEach(() => {
  lines.length = 0;
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => void process.off('unhandledRejection', onUnhandled));

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('audit sink failures', () => {
  it('an async sink that rejects: decisions unchanged, no unhandled rejection, logged once with its cause, recovery logged', async () => {
    const as = await createIssuer();
    let failing = true;
    const guard = createGuard({
      issuer: as.issuer,
      audience: as.audience,
      jwks: as.jwks,
      logger,
      audit: async () => {
        if (failing) throw new Error('disk full');
      },
    });
    const token = await as.mint();
    const request = { method: 'GET', url: 'https://api.example.com/x', headers: { authorization: `Bearer ${token}` } };
    for (let i = 0; i < 3; i++) expect((await guard.check(request, { action: 'search.web' })).allowed).toBe(true);
    await settle();
    expect(unhandled).toEqual([]);
    const down = lines.filter((line) => line.object.event === 'audit.down');
    expect(down).toHaveLength(1);
    expect(down[0]?.level).toBe('error');
    expect(down[0]?.object.cause).toContain('disk full');
    failing = false;
    await guard.check(request, { action: 'search.web' });
    await settle();
    expect(lines.filter((line) => line.object.event === 'audit.up')).toHaveLength(1);
    expect(JSON.stringify(lines)).not.toContain(token);
    await guard.close();
  });

  it('a sink that throws: decisions unchanged, reported once instead of swallowed', async () => {
    const as = await createIssuer();
    const guard = createGuard({
      issuer: as.issuer,
      audience: as.audience,
      jwks: as.jwks,
      logger,
      audit: () => {
        throw new TypeError('sink bug');
      },
    });
    const request = {
      method: 'GET',
      url: 'https://api.example.com/x',
      headers: { authorization: `Bearer ${await as.mint()}` },
    };
    expect((await guard.check(request, { action: 'search.web' })).allowed).toBe(true);
    expect((await guard.check({ ...request, headers: {} }, { action: 'search.web' })).reason).toBe(
      'credentials_missing',
    );
    await settle();
    const down = lines.filter((line) => line.object.event === 'audit.down');
    expect(down).toHaveLength(1);
    expect(down[0]?.object.cause).toContain('sink bug');
    expect(unhandled).toEqual([]);
    await guard.close();
  });
});
