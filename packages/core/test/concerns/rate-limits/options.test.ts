import { describe, expect, it } from 'vitest';
import { createGuard, type AapClaims, type GuardOptions } from '@aap-guard/core';
import { isRateLimitConstraint } from '../../../src/concerns/rate-limits/windows.js';
import { engineOf } from '../../../src/engine/registry.js';

const base = { issuer: 'https://as.example.com', audience: 'https://api.example.com', jwks: { keys: [] } };

describe('rateLimit options', () => {
  it.each([
    [{ mode: 'rolling' }, /rateLimit\.mode/],
    [{ mode: { week: 'fixed' } }, /rateLimit\.mode\.week/],
    [{ mode: { hour: 'exact' } }, /rateLimit\.mode\.hour/],
    [{ key: 'ip' }, /rateLimit\.key/],
    [{ headersOnAllow: 'yes' }, /rateLimit\.headersOnAllow/],
  ])('%j is a TypeError naming the option', (rateLimit, message) => {
    expect(() => createGuard({ ...base, rateLimit } as unknown as GuardOptions)).toThrow(message);
  });

  it.each([
    [undefined, { minute: 'sliding', hour: 'fixed', day: 'fixed' }],
    ['sliding', { minute: 'sliding', hour: 'sliding', day: 'sliding' }],
    ['fixed', { minute: 'fixed', hour: 'fixed', day: 'fixed' }],
    [{ hour: 'sliding' }, { minute: 'sliding', hour: 'sliding', day: 'fixed' }],
    [{ minute: 'fixed' }, { minute: 'fixed', hour: 'fixed', day: 'fixed' }],
  ] as const)('mode %j → %j (units not named keep the spec table of §5.6.1)', (mode, modes) => {
    const guard = createGuard({ ...base, rateLimit: { mode } });
    expect(engineOf(guard).settings.rateLimit.modes).toEqual(modes);
  });
});

describe('rateLimit keys', () => {
  const claims = (agent: string, task: string, jti?: string) =>
    ({ iss: 'x', jti, agent: { id: agent }, task: { id: task } }) as unknown as AapClaims;
  const a = { issuer: 'https://a.example', id: 'scopeA' };
  const b = { issuer: 'https://b.example', id: 'scopeB' };
  const keyOf = (key: NonNullable<GuardOptions['rateLimit']>['key']) =>
    engineOf(createGuard({ ...base, rateLimit: { key } })).settings.rateLimit.key;

  it.each(['jti', 'agent', 'task'] as const)("'%s': the same ids under two issuer scopes are two subjects", (key) => {
    const subject = keyOf(key);
    expect(subject(claims('ag', 'tk', 'j'), undefined, a)).not.toBe(subject(claims('ag', 'tk', 'j'), undefined, b));
    expect(subject(claims('ag', 'tk', 'j'), undefined, a)?.startsWith('scopeA:')).toBe(true);
  });

  it("'task': agent 'a:b' with task 'c' and agent 'a' with task 'b:c' are two subjects", () => {
    const subject = keyOf('task');
    expect(subject(claims('a:b', 'c'), undefined, a)).not.toBe(subject(claims('a', 'b:c'), undefined, a));
  });

  it('a function receives the issuer, and its key is scoped by it', () => {
    const seen: string[] = [];
    const subject = keyOf((_claims, { issuer }) => (seen.push(issuer), 'everyone'));
    expect(subject(claims('ag', 'tk'), undefined, a)).toBe('scopeA:fn:everyone');
    expect(subject(claims('ag', 'tk'), undefined, b)).toBe('scopeB:fn:everyone');
    expect(seen).toEqual([a.issuer, b.issuer]);
    expect(keyOf(() => '')(claims('ag', 'tk'), undefined, a)).toBeUndefined();
  });
});

describe('isRateLimitConstraint', () => {
  it.each([
    ['max_requests_per_minute', true],
    ['max_drafts_per_day', true],
    ['max_api_calls_per_hour', true],
    ['max_requests_per_week', false],
    ['max_response_size', false],
    ['max_depth', false],
  ])('%s → %s', (name, expected) => expect(isRateLimitConstraint(name)).toBe(expected));
});
