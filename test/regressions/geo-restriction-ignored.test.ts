/**
 * Regression: `context.geo_restriction` was ignored — a token restricted to a region the guard had no way to
 * check was allowed from anywhere. The draft (§7.8) says "the RS MUST apply additional checks for geo or
 * network restrictions when provided"; a restriction the guard cannot resolve is refused (403
 * `context_violation`, `aap_invalid_context`), as `allowed_regions` already was. `"none"` (the draft's
 * example) restricts nothing, and `context.location` describes the agent, not a restriction. Over real HTTP
 * on every adapter: the conformance table's `geo_restriction:` rows.
 */
import { createGuard, type GuardOptions } from '@aap-guard/core';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import { beforeAll, describe, expect, it } from 'vitest';

let as: TestIssuer;

beforeAll(async () => {
  as = await createIssuer();
});

async function decide(context: Record<string, unknown>, options: Partial<GuardOptions> = {}): Promise<string> {
  const guard = createGuard({ issuer: as.issuer, audience: as.audience, jwks: as.jwks, logger: false, ...options });
  const token = await as.mint({ sections: { context } });
  const decision = await guard.check(
    {
      method: 'GET',
      url: 'https://api.example.com/x',
      headers: { authorization: `Bearer ${token}` },
      clientIp: '203.0.113.7',
    },
    { action: 'search.web' },
  );
  await guard.close();
  return decision.allowed ? 'allowed' : `${decision.status} ${decision.reason} ${String(decision.audit.detail?.rule)}`;
}

describe('context.geo_restriction fails closed', () => {
  it('a region the guard cannot resolve is refused', async () => {
    expect(await decide({ geo_restriction: 'US' })).toBe('403 context_violation geo_restriction_unresolved');
    expect(await decide({ geo_restriction: { allow: ['US'] } }, { constraints: { region: () => 'US' } })).toBe(
      '403 context_violation geo_restriction_unreadable',
    );
  });

  it('with a region resolver, the resolved region must be listed', async () => {
    const region = (ip: string | undefined) => (ip === '203.0.113.7' ? 'us' : undefined);
    expect(
      await decide({ geo_restriction: ['CA', 'US'] }, { constraints: { region: (_request, ip) => region(ip) } }),
    ).toBe('allowed');
    expect(await decide({ geo_restriction: 'CA' }, { constraints: { region: (_request, ip) => region(ip) } })).toBe(
      '403 context_violation geo_restriction',
    );
  });

  it('asks the region resolver once per request, for geo_restriction and allowed_regions alike', async () => {
    let asked = 0;
    const guard = createGuard({
      issuer: as.issuer,
      audience: as.audience,
      jwks: as.jwks,
      logger: false,
      constraints: { region: () => ((asked += 1), 'us') },
    });
    const token = await as.mint({
      sections: { context: { geo_restriction: ['US'] } },
      capabilities: [{ action: 'search.web', constraints: { allowed_regions: ['US'] } }],
    });
    const request = { method: 'GET', url: 'https://api.example.com/x', headers: { authorization: `Bearer ${token}` } };
    expect((await guard.check(request, { action: 'search.web' })).allowed).toBe(true);
    expect(asked).toBe(1);
    await guard.close();
  });

  it('"none" and context.location restrict nothing', async () => {
    expect(await decide({ geo_restriction: 'none', location: { region: 'DE' } })).toBe('allowed');
  });

  it("reportOnly: ['context'] reports an unresolvable geo_restriction; time and zone restrictions stay enforced", async () => {
    expect(await decide({ geo_restriction: 'US' }, { reportOnly: ['context'] })).toBe('allowed');
    expect(await decide({ geo_restriction: 'US', network_zone: 'corp' }, { reportOnly: ['context'] })).toBe(
      '403 context_violation network_zone_unknown',
    );
  });
});
