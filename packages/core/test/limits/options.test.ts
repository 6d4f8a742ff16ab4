import { describe, expect, it } from 'vitest';
import { createGuard, isRateLimitConstraint, type GuardOptions } from '@aap-guard/core';

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

  it('accepts the spec table as per-unit modes', () => {
    const guard = createGuard({ ...base, rateLimit: { mode: { minute: 'sliding', hour: 'fixed', day: 'fixed' } } });
    expect(guard.options.limits.modes).toEqual({ minute: 'sliding', hour: 'fixed', day: 'fixed' });
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
