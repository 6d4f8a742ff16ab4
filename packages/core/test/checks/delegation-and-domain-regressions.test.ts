/**
 * Regressions found by the adversarial review (tracker issue "shared state", items 9 and 11):
 * - delegation depth could be skipped through RFC 8693 `act` when the token carried no AAP
 *   `delegation` claim;
 * - `domains_blocked: ["evil.com"]` did not block `evil.com..` (a host with an empty label);
 * - `delegation.chain[]` entries over the draft's 128-character limit were accepted.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createGuard, type Decision, type GuardOptions, type RequestInfo } from '@aap-guard/core';
import { createIssuer, type MintOptions, type TestIssuer } from '@aap-guard/testing';
import { NOW } from '../helpers/tokens.js';

let as: TestIssuer;
beforeAll(async () => {
  as = await createIssuer({ now: () => NOW });
});

async function decide(
  mint: MintOptions,
  request: Partial<RequestInfo> = {},
  options: Partial<GuardOptions> = {},
): Promise<string | undefined> {
  const guard = createGuard({
    issuer: as.issuer,
    audience: as.audience,
    jwks: as.jwks,
    now: () => NOW,
    logger: false,
    ...options,
  });
  try {
    const token = await as.mint(mint);
    const d: Decision = await guard.check(
      { method: 'GET', url: 'https://api.example.com/v1/x', ...request, headers: { authorization: `Bearer ${token}` } },
      { action: 'search.web' },
    );
    return d.allowed ? 'allow' : d.reason;
  } finally {
    await guard.close();
  }
}

/** Three nested RFC 8693 actors (innermost = least recent) and no AAP `delegation` claim. */
const THREE_ACTORS = { sub: 'tool-c', act: { sub: 'tool-b', act: { sub: 'tool-a' } } };
const actOnly = (constraints?: Record<string, unknown>): MintOptions => ({
  sections: { delegation: undefined },
  claims: { act: THREE_ACTORS },
  ...(constraints ? { capabilities: [{ action: 'search.web', constraints }] } : {}),
});

describe('delegation depth through act', () => {
  it('three nested act entries without a delegation claim exceed delegation.maxDepth 1', async () => {
    expect(await decide(actOnly(), {}, { delegation: { maxDepth: 1 } })).toBe('delegation_depth_exceeded');
    expect(await decide(actOnly(), {}, { delegation: { maxDepth: 3 } })).toBe('allow');
  });

  it('three nested act entries without a delegation claim exceed a capability max_depth 0', async () => {
    expect(await decide(actOnly({ max_depth: 0 }))).toBe('delegation_depth_exceeded');
    expect(await decide(actOnly({ max_depth: 3 }))).toBe('allow');
  });

  it('an act that repeats the chain (with its origin) does not count the origin as a hop', async () => {
    const delegated: MintOptions = {
      sections: { delegation: { depth: 1, max_depth: 2, chain: ['origin', 'tool-a'] } },
      claims: { act: { sub: 'tool-a', act: { sub: 'origin' } } },
      capabilities: [{ action: 'search.web', constraints: { max_depth: 1 } }],
    };
    expect(await decide(delegated, {}, { delegation: { maxDepth: 1 } })).toBe('allow');
  });
});

describe('delegation.chain entry length (draft "String Length Limits": 1…128)', () => {
  const chain = (entry: string): MintOptions => ({
    sections: { delegation: { depth: 1, max_depth: 2, chain: ['origin', entry] } },
  });

  it('delegation.chain[] entries over 128 characters are refused', async () => {
    expect(await decide(chain('t'.repeat(129)))).toBe('delegation_chain_invalid');
    expect(await decide(chain('é'.repeat(129)))).toBe('delegation_chain_invalid');
    expect(await decide(chain('t'.repeat(128)))).toBe('allow');
    expect(await decide(chain('😀'.repeat(128)))).toBe('allow'); // 128 characters (code points), as the schema counts
  });
});

describe('target hosts with empty labels', () => {
  const blocked: MintOptions = {
    capabilities: [{ action: 'search.web', constraints: { domains_blocked: ['evil.com'] } }],
  };
  const allowed: MintOptions = {
    capabilities: [{ action: 'search.web', constraints: { domains_allowed: ['good.com'] } }],
  };

  it('domains_blocked evil.com also blocks evil.com.. and other hosts with empty labels', async () => {
    for (const target of [
      'https://evil.com../x',
      'evil.com..',
      'https://sub.evil.com../',
      'https://evil..com/',
      'https://.evil.com/',
    ]) {
      expect(await decide(blocked, { target }), target).toBe('domain_not_allowed');
    }
    expect(await decide(blocked, { target: 'https://evil.com./x' })).toBe('domain_not_allowed'); // one trailing dot: the root
    expect(await decide(blocked, { target: 'https://good.com/' })).toBe('allow');
  });

  it('domains_allowed refuses a target with empty labels even when a suffix matches', async () => {
    expect(await decide(allowed, { target: 'https://good.com../' })).toBe('domain_not_allowed');
    expect(await decide(allowed, { target: 'https://a..good.com/' })).toBe('domain_not_allowed');
    expect(await decide(allowed, { target: 'https://good.com./' })).toBe('allow');
  });
});
