import { beforeAll, describe, expect, it } from 'vitest';
import { createGuard, type Decision, type GuardOptions, type RequestInfo, type RouteSpec } from '@aap-guard/core';
import { createIssuer, type MintOptions, type TestIssuer } from '@aap-guard/testing';
import { NOW, NOW_S } from '../helpers/tokens.js';

let as: TestIssuer;
beforeAll(async () => {
  as = await createIssuer({ now: () => NOW });
});

/** Mint a token, run one request through a fresh guard, return the decision. */
async function decide(
  mint: MintOptions,
  route: RouteSpec,
  request: Partial<RequestInfo> = {},
  options: Partial<GuardOptions> = {},
): Promise<Decision> {
  const guard = createGuard({ issuer: as.issuer, audience: as.audience, jwks: as.jwks, now: () => NOW, ...options });
  const token = await as.mint(mint);
  const headers = { authorization: `Bearer ${token}`, ...request.headers };
  try {
    return await guard.check({ method: 'GET', url: 'https://api.example.com/v1/x', ...request, headers }, route);
  } finally {
    await guard.close();
  }
}

const outcome = (d: Decision) => (d.allowed ? 'allow' : d.reason);
const search = { action: 'search.web' } as const;
const constrained = (constraints: Record<string, unknown>): MintOptions => ({
  capabilities: [{ action: 'search.web', constraints }],
});

describe('domains_allowed / domains_blocked (draft "Domain Matching Algorithm")', () => {
  const allowed = constrained({
    domains_allowed: ['example.org', 'bücher.example'],
    domains_blocked: ['bad.example.org'],
  });
  const cases: [string, string][] = [
    ['https://example.org/data', 'allow'],
    ['https://deep.sub.example.org:8443/x?y=1', 'allow'], // suffix on a label boundary; port and path ignored
    ['EXAMPLE.ORG.', 'allow'], // bare host, case-insensitive, trailing dot
    ['https://xn--bcher-kva.example/', 'allow'], // IDN entry matches its A-label
    ['https://BÜCHER.example/', 'allow'], // IDN target matches too
    ['https://badexample.org/', 'domain_not_allowed'], // not a label boundary
    ['https://bad.example.org/', 'domain_not_allowed'], // blocked wins over allowed
    ['https://x.bad.example.org/', 'domain_not_allowed'],
    ['https://93.184.216.34/', 'domain_not_allowed'], // an IP literal never matches a domain
    ['https://[2001:db8::1]/', 'domain_not_allowed'],
    ['http://', 'domain_not_allowed'], // unparsable target
  ];
  for (const [target, expected] of cases) {
    it(`${target} → ${expected}`, async () => {
      expect(outcome(await decide(allowed, search, { target }))).toBe(expected);
    });
  }

  it('a route with no target fails closed when the capability restricts domains', async () => {
    const d = await decide(allowed, search);
    expect([d.status, d.error, d.reason]).toEqual([403, 'aap_domain_not_allowed', 'domain_not_allowed']);
  });

  it('an entry that is not a DNS name (URL, IP) denies rather than being misread', async () => {
    expect(
      outcome(
        await decide(constrained({ domains_allowed: ['https://example.org/'] }), search, { target: 'example.org' }),
      ),
    ).toBe('domain_not_allowed');
  });

  it('a deny body never carries the domain list; the audit detail does', async () => {
    const d = await decide(allowed, search, { target: 'https://evil.example/' });
    expect(JSON.stringify(d.body)).not.toMatch(/example\.org|evil/);
    expect(JSON.stringify(d.audit)).toMatch(/evil\.example/);
  });
});

describe("client address: ip_ranges_allowed read as the caller (constraints.ipRanges: 'caller') and trustProxy", () => {
  const ranges = constrained({ ip_ranges_allowed: ['192.168.1.0/24', '2001:db8::/32'] });
  const CALLER = { constraints: { ipRanges: 'caller' } } as const;
  it('the TCP peer, IPv4, IPv4-mapped and IPv6', async () => {
    expect(outcome(await decide(ranges, search, { clientIp: '192.168.1.9' }, CALLER))).toBe('allow');
    expect(outcome(await decide(ranges, search, { clientIp: '::ffff:192.168.1.9' }, CALLER))).toBe('allow');
    expect(outcome(await decide(ranges, search, { clientIp: '2001:db8::7' }, CALLER))).toBe('allow');
    expect(outcome(await decide(ranges, search, { clientIp: '10.0.0.1' }, CALLER))).toBe('constraint_violation');
    expect(outcome(await decide(ranges, search, {}, CALLER))).toBe('constraint_violation');
  });

  it('X-Forwarded-For is ignored from an untrusted peer', async () => {
    const d = await decide(
      ranges,
      search,
      { clientIp: '203.0.113.5', headers: { 'x-forwarded-for': '192.168.1.9' } },
      CALLER,
    );
    expect(outcome(d)).toBe('constraint_violation');
  });

  it('behind trusted proxies, the first untrusted hop from the right is the client', async () => {
    const proxied = (xff: string) =>
      decide(
        ranges,
        search,
        { clientIp: '10.0.0.2', headers: { 'x-forwarded-for': xff } },
        { trustProxy: ['10.0.0.0/8'], ...CALLER },
      );
    expect(outcome(await proxied('192.168.1.9, 10.0.0.3'))).toBe('allow');
    // the client cannot prepend its way in: the rightmost untrusted hop counts
    expect(outcome(await proxied('192.168.1.9, 203.0.113.5, 10.0.0.3'))).toBe('constraint_violation');
    expect(outcome(await proxied('not-an-ip, 10.0.0.3'))).toBe('constraint_violation');
  });

  it('context.network_zone: the client must be in the configured zone; an unknown zone denies', async () => {
    const zoned: MintOptions = { sections: { context: { network_zone: 'corp' } } };
    const zones = { constraints: { networkZones: { corp: ['10.1.0.0/16'] } } };
    expect(outcome(await decide(zoned, search, { clientIp: '10.1.2.3' }, zones))).toBe('allow');
    const outside = await decide(zoned, search, { clientIp: '10.2.0.1' }, zones);
    expect([outside.status, outside.error, outside.reason]).toEqual([403, 'aap_invalid_context', 'context_violation']);
    expect(outcome(await decide(zoned, search, { clientIp: '10.1.2.3' }))).toBe('context_violation');
  });
});

describe('time windows: start inclusive, end exclusive', () => {
  const at = (ms: number) => new Date(ms).toISOString();
  it('capability time_window → aap_capability_expired outside it', async () => {
    expect(outcome(await decide(constrained({ time_window: { start: at(NOW), end: at(NOW + 1) } }), search))).toBe(
      'allow',
    );
    const ended = await decide(constrained({ time_window: { start: at(NOW - 1000), end: at(NOW) } }), search);
    expect([ended.status, ended.error, ended.reason]).toEqual([403, 'aap_capability_expired', 'capability_expired']);
    expect(outcome(await decide(constrained({ time_window: { start: at(NOW + 1), end: at(NOW + 9) } }), search))).toBe(
      'capability_expired',
    );
    expect(outcome(await decide(constrained({ time_window: { start: at(NOW + 9), end: at(NOW - 9) } }), search))).toBe(
      'capability_expired',
    );
  });

  it('context time_window → aap_invalid_context outside it', async () => {
    const context = (start: number, end: number): MintOptions => ({
      sections: { context: { time_window: { start: at(start), end: at(end) } } },
    });
    expect(outcome(await decide(context(NOW, NOW + 1), search))).toBe('allow');
    expect(outcome(await decide(context(NOW - 1, NOW), search))).toBe('context_violation');
  });
});

describe('capability match: exact action, OR across capabilities, AND within one', () => {
  it('is exact and case-sensitive', async () => {
    const d = await decide({ capabilities: [{ action: 'Search.web' }, { action: 'search.webx' }] }, search);
    expect([d.status, d.error, d.reason]).toEqual([403, 'aap_invalid_capability', 'capability_missing']);
  });

  it('the first capability whose constraints all hold authorizes, and its limits are the ones consumed', async () => {
    const guard = createGuard({ issuer: as.issuer, audience: as.audience, jwks: as.jwks, now: () => NOW });
    const token = await as.mint({
      capabilities: [
        { action: 'search.web', constraints: { allowed_methods: ['POST'], max_requests_per_minute: 1 } },
        { action: 'search.web', constraints: { allowed_methods: ['GET'], max_requests_per_minute: 2 } },
      ],
    });
    const get = () =>
      guard.check(
        { method: 'GET', url: 'https://api.example.com/x', headers: { authorization: `Bearer ${token}` } },
        search,
      );
    const first = await get();
    expect(first.principal?.capability?.constraints?.allowed_methods).toEqual(['GET']);
    expect((await get()).allowed).toBe(true);
    expect((await get()).reason).toBe('rate_limited'); // the GET capability's 2, not the POST one's 1
    const post = await guard.check(
      { method: 'POST', url: 'https://api.example.com/x', headers: { authorization: `Bearer ${token}` } },
      search,
    );
    expect(post.principal?.capability?.constraints?.allowed_methods).toEqual(['POST']);
    await guard.close();
  });

  it('when no capability holds, the first one’s reason is reported', async () => {
    const d = await decide(
      {
        capabilities: [
          { action: 'search.web', constraints: { allowed_methods: ['POST'] } },
          { action: 'search.web', constraints: { domains_allowed: ['a.example'] } },
        ],
      },
      search,
      { target: 'b.example' },
    );
    expect(d.reason).toBe('method_not_allowed');
  });

  it('request size: 413 from Content-Length, and the limit handed to the adapter for streaming', async () => {
    const sized = constrained({ max_request_size: 100, max_response_size: 50 });
    const big = await decide(sized, search, { method: 'POST', contentLength: 101 });
    expect([big.status, big.error, big.reason]).toEqual([413, 'aap_constraint_violation', 'request_too_large']);
    const ok = await decide(sized, search, { method: 'POST', contentLength: 100 });
    expect(ok.limits).toEqual({ maxRequestSize: 100, maxResponseSize: 50 });
  });

  it('request size: a body in a content coding is refused (415 + Accept-Encoding); identity is counted', async () => {
    const sized = constrained({ max_request_size: 100 });
    const encoded = (encoding: string | string[]) => ({
      method: 'POST',
      contentLength: 20,
      headers: { 'content-encoding': encoding },
    });
    const refused = [415, 'invalid_request', 'content_encoding_unsupported', 'identity'];
    const codings = [
      'gzip',
      'deflate',
      'br',
      'GZIP',
      'gzip, identity',
      'identity, gzip',
      'x-custom',
      ['identity', 'gzip'],
    ];
    for (const encoding of codings) {
      const d = await decide(sized, search, encoded(encoding));
      expect([d.status, d.error, d.reason, d.headers['accept-encoding']], String(encoding)).toEqual(refused);
    }
    for (const encoding of ['identity', 'Identity', '', ' , identity']) {
      expect(outcome(await decide(sized, search, encoded(encoding))), encoding).toBe('allow');
    }
    // only a size-limited capability counts bytes: without max_request_size a compressed body is the app's business
    expect(outcome(await decide(constrained({}), search, encoded('gzip')))).toBe('allow');
  });

  it('data_classification_max against the route classification', async () => {
    const internal = constrained({ data_classification_max: 'internal' });
    expect(outcome(await decide(internal, { action: 'search.web', classification: 'internal' }))).toBe('allow');
    expect(outcome(await decide(internal, { action: 'search.web', classification: 'confidential' }))).toBe(
      'constraint_violation',
    );
  });

  it('allowed_regions through the configured resolver; no resolver or no answer denies', async () => {
    const regions = constrained({ allowed_regions: ['US', 'CA'] });
    const resolver = (region?: string) => ({ constraints: { region: () => region } });
    expect(outcome(await decide(regions, search, {}, resolver('CA')))).toBe('allow');
    expect(outcome(await decide(regions, search, {}, resolver('FR')))).toBe('constraint_violation');
    expect(outcome(await decide(regions, search, {}, resolver(undefined)))).toBe('constraint_violation');
    expect(outcome(await decide(regions, search))).toBe('constraint_violation');
  });

  it('require_encryption: https only', async () => {
    const tls = constrained({ require_encryption: true });
    expect(outcome(await decide(tls, search))).toBe('allow');
    expect(outcome(await decide(tls, search, { url: 'http://api.example.com/x' }))).toBe('constraint_violation');
  });
});

describe('application-specific and unknown constraints', () => {
  const draftOnly = constrained({ status: 'draft_only' });
  it('an unknown constraint denies by default, and is skipped under unknown: ignore', async () => {
    expect(outcome(await decide(draftOnly, search))).toBe('constraint_unknown');
    expect(outcome(await decide(draftOnly, search, {}, { constraints: { unknown: 'ignore' } }))).toBe('allow');
  });

  it('a route handler wins over the guard handler; false or a throw denies', async () => {
    const guardLevel = { constraints: { handlers: { status: (value: unknown) => value === 'draft_only' } } };
    expect(outcome(await decide(draftOnly, search, {}, guardLevel))).toBe('allow');
    expect(
      outcome(await decide(draftOnly, { action: 'search.web', constraints: { status: () => false } }, {}, guardLevel)),
    ).toBe('constraint_violation');
    const throwing = {
      action: 'search.web',
      constraints: {
        status: () => {
          throw new Error('boom');
        },
      },
    };
    expect(outcome(await decide(draftOnly, throwing))).toBe('constraint_violation');
  });
});

describe('agent policy, task binding, delegation', () => {
  it('agent lists, operators, models and attestation', async () => {
    const model = {
      sections: {
        agent: { id: 'a-1', type: 'llm-autonomous', operator: 'org:x', model: { provider: 'openai', id: 'gpt-4' } },
      },
    };
    expect(outcome(await decide(model, search, {}, { agents: { deniedModels: ['gpt-4'] } }))).toBe(
      'agent_not_recognized',
    );
    expect(outcome(await decide(model, search, {}, { agents: { deniedModels: ['openai/gpt-4'] } }))).toBe(
      'agent_not_recognized',
    );
    expect(outcome(await decide(model, search, {}, { agents: { operators: ['org:x'], allow: ['a-1'] } }))).toBe(
      'allow',
    );
    expect(outcome(await decide(model, search, {}, { agents: { requireAttested: true } }))).toBe(
      'agent_not_recognized',
    );
    const d = await decide({ agentId: 'a-2' }, search, {}, { agents: { deny: ['a-2'] } });
    expect([d.status, d.error]).toEqual([403, 'aap_agent_not_recognized']);
  });

  it('task lifetime: the clock tolerance for a future created_at, none for expires_at (§7.4)', async () => {
    const task = (extra: Record<string, unknown>): MintOptions => ({
      sections: { task: { id: 't', purpose: 'research', ...extra } },
    });
    const tolerance = { clockTolerance: 60 };
    expect(outcome(await decide(task({ created_at: NOW_S + 30 }), search, {}, tolerance))).toBe('allow');
    expect(outcome(await decide(task({ created_at: NOW_S + 90 }), search, {}, tolerance))).toBe('task_expired');
    expect(outcome(await decide(task({ expires_at: NOW_S + 30 }), search, {}, tolerance))).toBe('allow');
    expect(outcome(await decide(task({ expires_at: NOW_S - 30 }), search, {}, tolerance))).toBe('task_expired');
    expect(outcome(await decide(task({ expires_at: NOW_S - 90 }), search, {}, tolerance))).toBe('task_expired');
  });

  it('task purpose, sensitivity ceiling and id binding', async () => {
    const task = (extra: Record<string, unknown>): MintOptions => ({
      sections: { task: { id: 't-9', purpose: 'research', ...extra } },
    });
    expect(outcome(await decide(task({}), { action: 'search.web', purposes: ['billing'] }))).toBe('task_mismatch');
    expect(
      outcome(
        await decide(task({ data_sensitivity: 'personal' }), { action: 'search.web', maxSensitivity: 'confidential' }),
      ),
    ).toBe('task_mismatch');
    expect(
      outcome(
        await decide(task({ data_sensitivity: 'secret-ish' }), { action: 'search.web', maxSensitivity: 'restricted' }),
      ),
    ).toBe('task_mismatch');
    expect(
      outcome(
        await decide(task({ data_sensitivity: 'internal' }), { action: 'search.web', maxSensitivity: 'confidential' }),
      ),
    ).toBe('allow');
    const bound = { action: 'search.web', taskIdFrom: 'header:X-Task-Id' } as const;
    expect(outcome(await decide(task({}), bound, { headers: { 'x-task-id': ['t-9'] } }))).toBe('allow');
    expect(outcome(await decide(task({}), bound, { headers: { 'x-task-id': ['t-8'] } }))).toBe('task_mismatch');
    expect(outcome(await decide(task({}), bound, { headers: { 'x-task-id': ['t-9', 't-9'] } }))).toBe('task_mismatch');
    expect(
      outcome(await decide(task({}), { action: 'search.web', taskIdFrom: 'param:task' }, { params: { task: 't-9' } })),
    ).toBe('allow');
  });

  it('delegation depth: the token’s max_depth, the RS maximum and the capability’s max_depth', async () => {
    const chain = (depth: number, max = 3, constraints?: Record<string, unknown>): MintOptions => ({
      capabilities: [{ action: 'search.web', ...(constraints && { constraints }) }],
      sections: {
        delegation: { depth, max_depth: max, chain: ['origin', 'tool-a', 'tool-b', 'tool-c'].slice(0, depth + 1) },
      },
    });
    expect(outcome(await decide(chain(2), search))).toBe('allow');
    expect(outcome(await decide(chain(3, 2), search))).toBe('delegation_depth_exceeded');
    expect(outcome(await decide(chain(2), search, {}, { delegation: { maxDepth: 1 } }))).toBe(
      'delegation_depth_exceeded',
    );
    const capped = await decide(chain(2, 3, { max_depth: 1 }), search);
    expect([capped.status, capped.error]).toEqual([403, 'aap_excessive_delegation']);
  });

  it('delegation structure, act consistency and trusted actors', async () => {
    const delegated = (delegation: unknown, act?: unknown): MintOptions => ({
      sections: { delegation },
      ...(act ? { claims: { act } } : {}),
    });
    const chain = { depth: 1, max_depth: 2, chain: ['origin', 'tool-a'] };
    const invalid = await decide(delegated({ depth: 1, max_depth: 2, chain: ['origin'] }), search);
    expect([invalid.status, invalid.error, invalid.reason]).toEqual([
      403,
      'aap_invalid_delegation_chain',
      'delegation_chain_invalid',
    ]);
    expect(outcome(await decide(delegated({ depth: '1', max_depth: 2, chain: ['origin', 'x'] }), search))).toBe(
      'delegation_chain_invalid',
    );
    // RFC 8693 §4.1: innermost act = least recent actor; with or without the origin
    expect(outcome(await decide(delegated(chain, { sub: 'tool-a', act: { sub: 'origin' } }), search))).toBe('allow');
    expect(outcome(await decide(delegated(chain, { sub: 'tool-a' }), search))).toBe('allow');
    expect(outcome(await decide(delegated(chain, { sub: 'origin', act: { sub: 'tool-a' } }), search))).toBe(
      'delegation_chain_invalid',
    );
    expect(outcome(await decide(delegated(chain, { sub: 'tool-x' }), search))).toBe('delegation_chain_invalid');
    const trusted = { delegation: { trustedActor: (actor: string) => actor !== 'tool-a' } };
    expect(outcome(await decide(delegated(chain), search, {}, trusted))).toBe('delegation_chain_invalid');
  });
});

describe('misconfiguration is a TypeError at startup, naming the option', () => {
  const make = (options: Partial<GuardOptions>) => () =>
    createGuard({ issuer: as.issuer, audience: as.audience, jwks: as.jwks, ...options } as GuardOptions);
  it.each([
    [{ delegation: { maxDepth: -1 } }, /delegation\.maxDepth/],
    [{ constraints: { unknown: 'allow' as 'ignore' } }, /constraints\.unknown/],
    [{ constraints: { networkZones: { corp: ['10.0.0.0/99'] } } }, /networkZones\.corp/],
    [{ agents: { allow: 'a-1' as unknown as string[] } }, /agents\.allow/],
  ])('%j', (options, message) => {
    expect(make(options)).toThrow(message);
  });

  it('a route with a bad level or binding', () => {
    const guard = make({})();
    expect(() => guard.route({ action: 'search.web', classification: 'secret' as 'public' })).toThrow(/classification/);
    expect(() => guard.route({ action: 'search.web', taskIdFrom: 'query:t' as 'param:t' })).toThrow(/taskIdFrom/);
  });
});
