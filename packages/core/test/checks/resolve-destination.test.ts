/**
 * `ip_ranges_allowed` as the destination (issue 24 item 11), through `guard.check()`: the resolver is asked
 * only when a candidate capability has the constraint, is bounded by `resolveTimeoutMs`, and its answer
 * reaches the application on the principal.
 */
import { createGuard, type GuardOptions, type RouteSpec } from '@aap-guard/core';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { NOW } from '../helpers/tokens.js';

let as: TestIssuer;
beforeAll(async () => {
  as = await createIssuer({ now: () => NOW });
});

async function check(
  constraints: Record<string, unknown> | undefined,
  target: string | undefined,
  options: Partial<GuardOptions> = {},
) {
  const guard = createGuard({
    issuer: as.issuer,
    audience: as.audience,
    jwks: as.jwks,
    now: () => NOW,
    warmUp: false,
    logger: false,
    ...options,
  });
  try {
    const token = await as.mint({ capabilities: [{ action: 'search.web', ...(constraints ? { constraints } : {}) }] });
    const route: RouteSpec = { action: 'search.web' };
    return await guard.check(
      {
        method: 'GET',
        url: 'https://api.example.com/x',
        headers: { authorization: `Bearer ${token}` },
        clientIp: '127.0.0.1',
        target,
      },
      route,
    );
  } finally {
    await guard.close();
  }
}

describe('destination step', () => {
  it('asks the resolver only for a capability with ip_ranges_allowed', async () => {
    const asked: string[] = [];
    const resolveTarget = (host: string) => (asked.push(host), ['203.0.113.5']);
    expect((await check(undefined, 'https://a.example.org/', { constraints: { resolveTarget } })).allowed).toBe(true);
    expect(
      (await check({ domains_allowed: ['example.org'] }, 'https://a.example.org/', { constraints: { resolveTarget } }))
        .allowed,
    ).toBe(true);
    expect(asked).toEqual([]);
    const decision = await check({ ip_ranges_allowed: ['203.0.113.0/24'] }, 'https://a.example.org/', {
      constraints: { resolveTarget },
    });
    expect(asked).toEqual(['a.example.org']);
    expect(decision.principal?.destination).toEqual({
      host: 'a.example.org',
      address: '203.0.113.5',
      addresses: ['203.0.113.5'],
    });
  });

  it('an IPv4-mapped answer is checked as the IPv4 address it maps', async () => {
    const decision = await check({ ip_ranges_allowed: ['203.0.113.0/24'] }, 'https://a.example.org/', {
      constraints: { resolveTarget: () => ['::ffff:203.0.113.5'] },
    });
    expect(decision.principal?.destination?.address).toBe('203.0.113.5');
  });

  it('a resolver that never answers is cut off after resolveTimeoutMs: refused, never a hang', async () => {
    const decision = await check({ ip_ranges_allowed: ['203.0.113.0/24'] }, 'https://a.example.org/', {
      constraints: { resolveTarget: () => new Promise<readonly string[]>(() => {}), resolveTimeoutMs: 20 },
    });
    expect([decision.status, decision.reason, decision.audit.detail?.problem]).toEqual([
      403,
      'destination_unresolved',
      'resolve_timeout',
    ]);
  });

  it('a resolver that throws: refused, the fault in the audit detail only', async () => {
    const decision = await check({ ip_ranges_allowed: ['203.0.113.0/24'] }, 'https://a.example.org/', {
      constraints: {
        resolveTarget: () => {
          throw new Error('SERVFAIL');
        },
      },
    });
    expect([decision.reason, decision.audit.detail?.fault]).toEqual(['destination_unresolved', 'SERVFAIL']);
    expect(JSON.stringify(decision.body)).not.toContain('SERVFAIL');
  });

  it('misconfiguration is a TypeError naming the option', () => {
    const base = { issuer: as.issuer, audience: as.audience, jwks: as.jwks, warmUp: false };
    expect(() => createGuard({ ...base, constraints: { ipRanges: 'peer' as 'caller' } })).toThrow(
      /options\.constraints\.ipRanges/,
    );
    expect(() => createGuard({ ...base, constraints: { resolveTarget: 'dns' as never } })).toThrow(
      /options\.constraints\.resolveTarget/,
    );
    expect(() => createGuard({ ...base, constraints: { resolveTimeoutMs: 0 } })).toThrow(
      /options\.constraints\.resolveTimeoutMs/,
    );
  });

  it('refuses what it cannot resolve, and says why in the audit detail only', async () => {
    const ranges = { ip_ranges_allowed: ['203.0.113.0/24'] };
    const problem = async (target: string | undefined, options: Partial<GuardOptions> = {}) => {
      const d = await check(ranges, target, options);
      return [d.reason, JSON.stringify(d.body).includes('203.0.113'), d.audit.detail?.problem];
    };
    expect(await problem(undefined)).toEqual(['destination_unresolved', false, 'no_target']);
    expect(await problem('https://a.example.org/')).toEqual(['destination_unresolved', false, 'no_resolver']);
    const resolveTarget = (host: string) => (host === 'empty.example.org' ? [] : ['not-an-ip']);
    expect(await problem('https://empty.example.org/', { constraints: { resolveTarget } })).toEqual([
      'destination_unresolved',
      false,
      'no_address',
    ]);
    expect(await problem('https://odd.example.org/', { constraints: { resolveTarget } })).toEqual([
      'destination_unresolved',
      false,
      'not_an_address',
    ]);
  });
});
