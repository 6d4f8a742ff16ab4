/**
 * `capabilities_ref` (draft "Token Size Considerations"): a token whose capabilities are given by
 * reference gets them from the authorization server — fetched from its origin and cached like keys, from
 * the introspection answer, or from a configured resolver — and fails closed when they cannot be had.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createGuard } from '@aap-guard/core';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import { stubAs, type StubAs } from '../../helpers/stub-as.js';

const AUD = 'https://api.example.com';
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (stops.length) await stops.pop()!();
});

async function setup(): Promise<{ as: StubAs; issuer: TestIssuer }> {
  const as = await stubAs();
  stops.push(() => as.stop());
  return { as, issuer: await createIssuer({ issuer: as.url }) };
}

const request = (token: string) => ({
  method: 'GET',
  url: `${AUD}/v1/drafts`,
  headers: { authorization: `Bearer ${token}` },
});
const byRef = (issuer: TestIssuer, ref: string, claims: Record<string, unknown> = {}) =>
  issuer.mint({ claims: { capabilities: undefined, capabilities_ref: ref, ...claims } });

describe('capabilities_ref', () => {
  it('is fetched from the issuer origin, cached like a key set, and the set authorizes the request', async () => {
    const { as, issuer } = await setup();
    as.sets.set('writer', {
      capabilities: [{ action: 'cms.create_draft', constraints: { max_requests_per_minute: 1 } }],
    });
    const guard = createGuard({ issuer: issuer.issuer, audience: AUD, jwks: issuer.jwks, logger: false });
    const ref = `${as.url}/capability-sets/writer`;
    const first = await guard.check(request(await byRef(issuer, ref)), { action: 'cms.create_draft' });
    expect([first.allowed, first.claims?.capabilities]).toEqual([
      true,
      [{ action: 'cms.create_draft', constraints: { max_requests_per_minute: 1 } }],
    ]);
    const second = await byRef(issuer, ref);
    expect((await guard.check(request(second), { action: 'cms.create_draft' })).allowed).toBe(true);
    expect((await guard.check(request(second), { action: 'cms.create_draft' })).reason).toBe('rate_limited'); // the set's constraints apply
    expect((await guard.check(request(second), { action: 'search.web' })).reason).toBe('capability_missing');
    expect(as.setFetches.get('writer')).toBe(1);
  });

  it('a reference outside the issuer origin and allowedUrls is refused without being fetched', async () => {
    const { as, issuer } = await setup();
    const elsewhere = await stubAs();
    stops.push(() => elsewhere.stop());
    elsewhere.sets.set('all', [{ action: 'cms.create_draft' }]);
    const guard = createGuard({ issuer: issuer.issuer, audience: AUD, jwks: issuer.jwks, logger: false });
    const refused = await guard.check(request(await byRef(issuer, `${elsewhere.url}/capability-sets/all`)), {
      action: 'cms.create_draft',
    });
    expect([refused.status, refused.reason]).toEqual([401, 'token_claims_invalid']);
    expect(elsewhere.setFetches.size).toBe(0);
    const allowing = createGuard({
      issuer: issuer.issuer,
      audience: AUD,
      jwks: issuer.jwks,
      logger: false,
      capabilitiesRef: { allowedUrls: [`${elsewhere.url}/capability-sets/`] },
    });
    expect(
      (
        await allowing.check(request(await byRef(issuer, `${elsewhere.url}/capability-sets/all`)), {
          action: 'cms.create_draft',
        })
      ).allowed,
    ).toBe(true);
    expect(as.setFetches.size).toBe(0);
  });

  it('both capabilities and a reference, or a reference that is no URL, are malformed tokens', async () => {
    const { as, issuer } = await setup();
    const guard = createGuard({ issuer: issuer.issuer, audience: AUD, jwks: issuer.jwks, logger: false });
    const both = await issuer.mint({ claims: { capabilities_ref: `${as.url}/capability-sets/x` } });
    expect((await guard.check(request(both), { action: 'search.web' })).reason).toBe('token_claims_invalid');
    expect((await guard.check(request(await byRef(issuer, 'not a url')), { action: 'search.web' })).reason).toBe(
      'token_claims_invalid',
    );
  });

  it('fails closed: a set that cannot be fetched, or is no capability list, is 503 capabilities_unavailable, then backs off', async () => {
    const { as, issuer } = await setup();
    const guard = createGuard({ issuer: issuer.issuer, audience: AUD, jwks: issuer.jwks, logger: false });
    const missing = await guard.check(request(await byRef(issuer, `${as.url}/capability-sets/missing`)), {
      action: 'search.web',
    });
    expect([missing.status, missing.error, missing.reason, missing.headers['retry-after']]).toEqual([
      503,
      'temporarily_unavailable',
      'capabilities_unavailable',
      '5',
    ]);
    as.sets.set('garbage', { capabilities: 'everything' });
    expect(
      (await guard.check(request(await byRef(issuer, `${as.url}/capability-sets/garbage`)), { action: 'search.web' }))
        .reason,
    ).toBe('capabilities_unavailable');
    as.sets.set('garbage', [{ action: 'search.web' }]); // healed, but the reference is backing off
    expect(
      (await guard.check(request(await byRef(issuer, `${as.url}/capability-sets/garbage`)), { action: 'search.web' }))
        .reason,
    ).toBe('capabilities_unavailable');
    expect(as.setFetches.get('garbage')).toBe(1);
  });

  it('a configured resolver is asked (once per reference while fresh); its failure is a 503, never an allow', async () => {
    const { issuer } = await setup();
    const asked: unknown[] = [];
    const guard = createGuard({
      issuer: issuer.issuer,
      audience: AUD,
      jwks: issuer.jwks,
      logger: false,
      capabilitiesRef: {
        resolve: (ref, token) => {
          asked.push([ref, token.iss]);
          if (ref === 'urn:caps:broken') throw new Error('directory down');
          return [{ action: 'search.web' }];
        },
      },
    });
    expect((await guard.check(request(await byRef(issuer, 'urn:caps:reader')), { action: 'search.web' })).allowed).toBe(
      true,
    );
    expect((await guard.check(request(await byRef(issuer, 'urn:caps:reader')), { action: 'search.web' })).allowed).toBe(
      true,
    );
    expect(asked).toEqual([['urn:caps:reader', issuer.issuer]]);
    expect((await guard.check(request(await byRef(issuer, 'urn:caps:broken')), { action: 'search.web' })).reason).toBe(
      'capabilities_unavailable',
    );
  });

  it("resolve: 'introspection' takes the capabilities of the introspection answer for the JWT", async () => {
    const { as, issuer } = await setup();
    const guard = createGuard({
      issuer: issuer.issuer,
      audience: AUD,
      jwks: issuer.jwks,
      logger: false,
      introspection: { endpoint: `${as.url}/introspect`, client: { id: 'api', secret: 's' } },
      capabilitiesRef: { resolve: 'introspection' },
    });
    const token = await byRef(issuer, 'urn:caps:42');
    as.answers.set(token, { active: true, capabilities: [{ action: 'search.web' }] });
    expect((await guard.check(request(token), { action: 'search.web' })).allowed).toBe(true);
    const inactive = await byRef(issuer, 'urn:caps:42');
    expect((await guard.check(request(inactive), { action: 'search.web' })).reason).toBe('token_inactive');
  });

  it('an opaque token whose introspection answer gives a reference gets the set fetched too', async () => {
    const { as } = await setup();
    as.sets.set('reader', [{ action: 'search.web' }]);
    const iat = Math.floor(Date.now() / 1000);
    as.answers.set('opaque-ref', {
      active: true,
      iss: as.url,
      sub: 'a-1',
      aud: AUD,
      iat,
      exp: iat + 600,
      agent: { id: 'a-1', type: 'llm-autonomous', operator: 'org:example' },
      task: { id: 't-1', purpose: 'research' },
      capabilities_ref: `${as.url}/capability-sets/reader`,
    });
    const guard = createGuard({
      issuer: as.url,
      audience: AUD,
      jwks: { keys: [] },
      logger: false,
      introspection: { endpoint: `${as.url}/introspect`, client: { id: 'api', secret: 's' } },
    });
    expect((await guard.check(request('opaque-ref'), { action: 'search.web' })).allowed).toBe(true);
    expect(as.setFetches.get('reader')).toBe(1);
  });
});
