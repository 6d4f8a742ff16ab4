/**
 * The proof-of-possession requirement (draft §7.2, §12.2, issue 24 item 1) through `guard.check()`: the one
 * call that runs both halves with the route known (the adapters' two-half flow is in the conformance table).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createGuard,
  memoryStore,
  type AuditEvent,
  type Decision,
  type Guard,
  type GuardOptions,
  type RequestInfo,
  type RouteSpec,
  type Store,
} from '@aap-guard/core';
import { createDpopKey, createIssuer, dpopProof, type MintOptions, type TestIssuer } from '@aap-guard/testing';
import { NOW } from '../helpers/tokens.js';

const URL = 'https://api.example.com/v1/x';
let as: TestIssuer;
const guards: Guard[] = [];
beforeAll(async () => {
  as = await createIssuer({ now: () => NOW });
});
afterEach(async () => {
  while (guards.length) await guards.pop()!.close();
});

const make = (options: Partial<GuardOptions> = {}): Guard => {
  const guard = createGuard({
    issuer: as.issuer,
    audience: as.audience,
    jwks: as.jwks,
    now: () => NOW,
    logger: false,
    ...options,
  });
  guards.push(guard);
  return guard;
};

async function decide(
  mint: MintOptions,
  route: RouteSpec,
  request: Partial<RequestInfo> = {},
  options: Partial<GuardOptions> = {},
): Promise<Decision> {
  const token = await as.mint(mint);
  return make(options).check(
    { method: 'GET', url: URL, ...request, headers: { authorization: `Bearer ${token}`, ...request.headers } },
    route,
  );
}
const outcome = (d: Decision) => (d.allowed ? 'allow' : d.reason);
const search = { action: 'search.web' } as const;

describe('one requirement, met by either binding', () => {
  it("pop: 'required' on the guard refuses a bearer token, 401 pop_required with a DPoP challenge", async () => {
    const d = await decide({}, search, {}, { pop: 'required' });
    expect([d.status, d.error, d.reason]).toEqual([401, 'invalid_token', 'pop_required']);
    expect(d.headers['www-authenticate']).toMatch(
      /^DPoP error="invalid_token", error_description="[^"]+", resource_metadata="[^"]+", algs="/,
    );
  });

  it('a route cannot relax a guard-wide requirement (the adapters could not: authentication ran first)', async () => {
    expect(outcome(await decide({}, { action: 'search.web', pop: 'optional' }, {}, { pop: 'required' }))).toBe(
      'pop_required',
    );
  });

  it('the deprecated names keep their reason, dpop_required', async () => {
    expect(outcome(await decide({}, search, {}, { dpop: { mode: 'required' } }))).toBe('dpop_required');
    expect(outcome(await decide({}, { action: 'search.web', dpop: 'required' }))).toBe('dpop_required');
  });

  it('a DPoP-bound token with its proof meets a route requirement', async () => {
    const key = await createDpopKey();
    const token = await as.mint({ jkt: key.jkt });
    const proof = await dpopProof({ key, method: 'GET', url: URL, accessToken: token, iat: Math.floor(NOW / 1000) });
    const d = await make().check(
      { method: 'GET', url: URL, headers: { authorization: `DPoP ${token}`, dpop: proof } },
      { action: 'search.web', pop: 'required' },
    );
    expect(outcome(d)).toBe('allow');
  });

  it('a certificate-bound token presented without its certificate is refused for the certificate, not for PoP', async () => {
    expect(
      outcome(
        await decide(
          { claims: { cnf: { 'x5t#S256': 'bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg' } } },
          search,
          {},
          { pop: 'required' },
        ),
      ),
    ).toBe('mtls_certificate_missing');
  });
});

describe("pop: 'by-risk' (draft §12.2)", () => {
  it('records which criterion applied in the audit event, never in the body', async () => {
    const events: AuditEvent[] = [];
    const d = await decide({ ttl: 7200 }, search, {}, { pop: 'by-risk', audit: (event) => void events.push(event) });
    expect(d.body).toEqual({
      error: 'invalid_token',
      error_description: 'A sender-constrained access token is required',
      reason: 'pop_required',
    });
    expect(events[0]?.detail).toMatchObject({ check: 'pop', requirement: 'by-risk', risk: 'lifetime' });
  });

  it('the classification is the authorizing capability’s: a second, confidential one does not count', async () => {
    const capabilities = [
      { action: 'search.web' },
      { action: 'search.web', constraints: { data_classification_max: 'confidential' } },
    ];
    expect(outcome(await decide({ capabilities }, search, {}, { pop: 'by-risk' }))).toBe('allow');
  });

  it('each criterion alone refuses a bearer token on a safe method, and says which', async () => {
    const events: AuditEvent[] = [];
    const audit = (event: AuditEvent) => void events.push(event);
    const confidential = [{ action: 'search.web', constraints: { data_classification_max: 'confidential' } }];
    expect(outcome(await decide({ capabilities: confidential }, search, {}, { pop: 'by-risk', audit }))).toBe(
      'pop_required',
    );
    const approval = { oversight: { level: 'approval', requires_human_approval_for: [] } };
    expect(outcome(await decide({ sections: approval }, search, {}, { pop: 'by-risk', audit }))).toBe('pop_required');
    expect(events.map((event) => event.detail?.risk)).toEqual(['classification', 'oversight']);
    expect(outcome(await decide({}, search, {}, { pop: 'by-risk' }))).toBe('allow'); // none of them: a GET, 10 min
  });

  it('refuses before a hold is made for an action under oversight', async () => {
    const sections = { oversight: { requires_human_approval_for: ['search.web'] } };
    expect(outcome(await decide({ sections }, search, { method: 'POST' }, { pop: 'by-risk' }))).toBe('pop_required');
  });

  it('costs no store call more: one per admitted request with a cached token', async () => {
    const inner = memoryStore();
    let calls = 0;
    const store: Store = {
      consume: (request) => ((calls += 1), inner.consume(request)),
      close: async () => inner.close?.(),
    };
    const guard = make({ pop: 'by-risk', store });
    const token = await as.mint({
      capabilities: [{ action: 'search.web', constraints: { max_requests_per_minute: 10 } }],
    });
    const request = { method: 'GET', url: URL, headers: { authorization: `Bearer ${token}` } };
    for (let i = 0; i < 3; i += 1) expect(outcome(await guard.check(request, search))).toBe('allow');
    expect(calls).toBe(3);
  });
});

describe("reportOnly: ['pop'] (the by-risk requirement rolled out)", () => {
  it('admits the bearer token by-risk would refuse, and audits what would have been denied', async () => {
    const events: AuditEvent[] = [];
    const d = await decide(
      { ttl: 7200 },
      search,
      {},
      { pop: 'by-risk', reportOnly: ['pop'], audit: (event) => void events.push(event) },
    );
    expect(outcome(d)).toBe('allow');
    expect(events[0]?.wouldDeny).toEqual([expect.objectContaining({ policy: 'pop', reason: 'pop_required' })]);
  });

  it('never relaxes a requirement the guard states: pop: required is enforced', async () => {
    expect(outcome(await decide({}, search, {}, { pop: 'required', reportOnly: ['pop'] }))).toBe('pop_required');
    expect(outcome(await decide({}, { action: 'search.web', pop: 'required' }, {}, { reportOnly: true }))).toBe(
      'pop_required',
    );
  });
});

describe('misconfiguration is a TypeError naming the option', () => {
  it.each([
    [{ pop: 'always' as 'required' }, /options\.pop/],
    [{ pop: 'by-risk' as const, dpop: { mode: 'required' as const } }, /options\.dpop\.mode.*options\.pop/],
  ])('%j', (options, message) => {
    expect(() => make(options)).toThrow(message);
  });

  it('a route with a bad pop or readOnly', () => {
    const guard = make();
    expect(() => guard.route({ action: 'search.web', pop: 'sometimes' as 'required' })).toThrow(/route\.pop/);
    expect(() => guard.route({ action: 'search.web', readOnly: 'yes' as unknown as boolean })).toThrow(
      /route\.readOnly/,
    );
    expect(() => guard.route({ action: 'search.web', pop: 'optional', dpop: 'required' })).toThrow(
      /route\.dpop.*route\.pop/,
    );
  });
});

describe('resource metadata (RFC 9728 dpop_bound_access_tokens_required)', () => {
  it('says DPoP-bound tokens are required where PoP is and DPoP accepted, not where DPoP is disabled', async () => {
    const { metadataDocument } = await import('../../src/concerns/metadata/resource-metadata.js');
    const { resolveOptions } = await import('../../src/options/resolve.js');
    const base = { issuer: as.issuer, audience: as.audience, jwks: as.jwks, logger: false as const };
    const doc = (options: Partial<GuardOptions>) => {
      const { settings, runtime } = resolveOptions({ ...base, ...options });
      void runtime.close();
      return metadataDocument(settings, 'https://api.example.com', []).dpop_bound_access_tokens_required;
    };
    expect([
      doc({ pop: 'required' }),
      doc({ pop: 'required', dpop: { mode: 'disabled' } }),
      doc({ pop: 'by-risk' }),
      doc({}),
    ]).toEqual([true, false, false, false]);
  });
});
