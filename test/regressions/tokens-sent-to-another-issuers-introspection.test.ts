/**
 * Regression (issue 23, item 5): tokens of issuer B were sent to issuer A's introspection endpoint. A guard
 * trusting two authorization servers had one introspection configuration, bound to A: with `mode: 'always'`
 * every locally verified JWT went to A's endpoint whoever issued it — B's bearer tokens leaked to A — and
 * with `capabilitiesRef.resolve: 'introspection'` A's answer decided the capabilities of B's tokens (A's
 * answer granted `payments.send`). Introspection is per issuer, like keys: an entry
 * `{ issuer, jwks, introspection }` has its own endpoint, client, cache and circuit breaker, and a token
 * is only ever sent to the endpoint of the issuer that signed it. The top-level `introspection` belongs
 * to the one issuer it names (or to the only trusted issuer). Opaque tokens name no issuer before they are
 * introspected (RFC 7662), so they go to the one issuer configured for them; more than one is a `TypeError`.
 * Real loopback authorization servers answer introspection over HTTP (packages/core/test/helpers/stub-as.ts).
 */
import { createGuard, type Guard, type GuardOptions, type IssuerIntrospectionOptions } from '@aap-guard/core';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { stubAs, type StubAs } from '../../packages/core/test/helpers/stub-as.js';

const AUD = 'https://api.example.com';
const PAY = { action: 'payments.send' };
const SEARCH = { action: 'search.web' };
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

/** An authorization server answering introspection on loopback, and a token issuer under its URL. */
async function server(): Promise<{ as: StubAs; issuer: TestIssuer }> {
  const as = await stubAs();
  closers.push(() => as.stop());
  return { as, issuer: await createIssuer({ issuer: as.url, audience: AUD }) };
}

function made(options: GuardOptions): Guard {
  const guard = createGuard(options);
  closers.push(() => guard.close());
  return guard;
}

const sent = (as: StubAs) => as.received.map(({ form }) => form.get('token'));
const client = (id: string) => ({ id, secret: `${id}-secret` });
/** The client id of the `index`th introspection request `as` received (HTTP Basic). */
const clientOf = (as: StubAs, index: number) => {
  const basic = String(as.received[index]!.headers.authorization).slice('Basic '.length);
  return Buffer.from(basic, 'base64').toString().split(':')[0];
};
const reason = async (guard: Guard, token: string, route = SEARCH) => {
  const request = { method: 'GET', url: `${AUD}/x`, headers: { authorization: `Bearer ${token}` } };
  return (await guard.check(request, route)).reason ?? 'allowed';
};
const byRef = (issuer: TestIssuer) =>
  issuer.mint({ claims: { capabilities: undefined, capabilities_ref: 'urn:caps:9' } });
/** Both issuers trusted, each with its own keys; `introspection` of each entry as given. */
type Introspections = [IssuerIntrospectionOptions?, IssuerIntrospectionOptions?];
const trusted = (a: TestIssuer, b: TestIssuer, introspection: Introspections = []): GuardOptions['issuer'] => [
  { issuer: a.issuer, jwks: a.jwks, ...(introspection[0] && { introspection: introspection[0] }) },
  { issuer: b.issuer, jwks: b.jwks, ...(introspection[1] && { introspection: introspection[1] }) },
];

describe('a top-level introspection bound to issuer A, beside issuer B', () => {
  it("mode 'always': B's JWTs are never sent to A's endpoint; A's are", async () => {
    const a = await server();
    const b = await server();
    const guard = made({
      issuer: trusted(a.issuer, b.issuer),
      audience: AUD,
      logger: false,
      introspection: {
        issuer: a.issuer.issuer,
        endpoint: `${a.as.url}/introspect`,
        client: client('rs'),
        mode: 'always',
      },
    });
    const bToken = await b.issuer.mint();
    const aToken = await a.issuer.mint();
    a.as.answers.set(aToken, { active: true });
    expect(await reason(guard, bToken)).toBe('allowed'); // B has no introspection: its JWTs are verified locally only
    expect(await reason(guard, aToken)).toBe('allowed');
    expect(sent(a.as)).toEqual([aToken]);
  });

  it("capabilitiesRef.resolve 'introspection': A's answer never decides the capabilities of B's token", async () => {
    const a = await server();
    const b = await server();
    const guard = made({
      issuer: trusted(a.issuer, b.issuer),
      audience: AUD,
      logger: false,
      introspection: { issuer: a.issuer.issuer, endpoint: `${a.as.url}/introspect`, client: client('rs') },
      capabilitiesRef: { resolve: 'introspection' },
    });
    const bToken = await byRef(b.issuer);
    a.as.answers.set(bToken, { active: true, capabilities: [PAY] }); // A would grant B's token anything
    expect(await reason(guard, bToken, PAY)).toBe('token_claims_invalid'); // B has no introspection to ask
    expect(sent(a.as)).toEqual([]);
  });
});

describe('introspection per issuer: { issuer, jwks, introspection }', () => {
  async function twoIssuers(extra: Partial<GuardOptions> = {}) {
    const a = await server();
    const b = await server();
    const guard = made({
      issuer: trusted(a.issuer, b.issuer, [
        { endpoint: `${a.as.url}/introspect`, client: client('rs-at-a'), mode: 'always' },
        { endpoint: `${b.as.url}/introspect`, client: client('rs-at-b'), mode: 'always', opaqueTokens: false },
      ]),
      audience: AUD,
      logger: false,
      ...extra,
    });
    return { a, b, guard };
  }

  it("each JWT goes to its own issuer's endpoint only, with that issuer's client credentials", async () => {
    const { a, b, guard } = await twoIssuers();
    const aToken = await a.issuer.mint();
    const bToken = await b.issuer.mint();
    b.as.answers.set(bToken, { active: true });
    expect(await reason(guard, aToken)).toBe('token_inactive'); // A does not know it: inactive
    expect(await reason(guard, bToken)).toBe('allowed');
    expect([sent(a.as), sent(b.as)]).toEqual([[aToken], [bToken]]);
    expect([clientOf(a.as, 0), clientOf(b.as, 0)]).toEqual(['rs-at-a', 'rs-at-b']);
  });

  it("capabilities by introspection come from the token's own issuer", async () => {
    const { a, b, guard } = await twoIssuers({ capabilitiesRef: { resolve: 'introspection' } });
    const bToken = await byRef(b.issuer);
    a.as.answers.set(bToken, { active: true, capabilities: [PAY] });
    b.as.answers.set(bToken, { active: true, capabilities: [SEARCH] });
    expect(await reason(guard, bToken, PAY)).toBe('capability_missing');
    expect(await reason(guard, bToken, SEARCH)).toBe('allowed');
    expect(sent(a.as)).toEqual([]);
  });

  it('opaque tokens go only to the issuer configured for them', async () => {
    const { a, b, guard } = await twoIssuers();
    const iat = Math.floor(Date.now() / 1000);
    a.as.answers.set('opaque-1', {
      active: true,
      iss: a.issuer.issuer,
      aud: AUD,
      iat,
      exp: iat + 600,
      sub: 'agent-7',
      agent: { id: 'agent-7', type: 'llm-autonomous', operator: 'org:example' },
      task: { id: 't', purpose: 'research' },
      capabilities: [SEARCH],
    });
    expect(await reason(guard, 'opaque-1')).toBe('allowed');
    expect(await reason(guard, 'opaque-2')).toBe('token_inactive');
    expect([sent(a.as), sent(b.as)]).toEqual([['opaque-1', 'opaque-2'], []]);
  });

  it("one issuer's endpoint down: its tokens get 503, the other issuer's are still introspected", async () => {
    const { a, b, guard } = await twoIssuers();
    await a.as.stop();
    const bToken = await b.issuer.mint();
    b.as.answers.set(bToken, { active: true });
    expect(await reason(guard, await a.issuer.mint())).toBe('introspection_unavailable');
    expect(await reason(guard, bToken)).toBe('allowed');
  });
});

describe('which issuer an introspection belongs to is never ambiguous', () => {
  const A = 'https://a.example.com';
  const B = 'https://b.example.com';
  const jwks = { keys: [] };
  const base = { audience: AUD, logger: false as const };
  const introspection = { endpoint: 'https://as.example.com/introspect', client: client('rs') };

  it('a top-level introspection beside several issuers must name its issuer', () => {
    const options = { ...base, issuer: [A, B], jwks, introspection };
    expect(() => createGuard(options)).toThrow(/options\.introspection\.issuer/);
  });

  it('two issuers that would both receive opaque tokens: TypeError naming the option', () => {
    const issuer = [
      { issuer: A, jwks, introspection },
      { issuer: B, jwks, introspection },
    ];
    expect(() => createGuard({ ...base, issuer })).toThrow(/options\.issuer\[1\]\.introspection\.opaqueTokens/);
  });

  it('an issuer introspected twice (top level and its entry), or an entry naming another issuer: TypeError', () => {
    const issuer = [
      { issuer: A, jwks, introspection },
      { issuer: B, jwks },
    ];
    const twice = { ...base, issuer, introspection: { ...introspection, issuer: A } };
    expect(() => createGuard(twice)).toThrow(/options\.introspection is for https:\/\/a\.example\.com/);
    const naming = [
      { issuer: A, jwks, introspection: { ...introspection, issuer: B } },
      { issuer: B, jwks },
    ];
    expect(() => createGuard({ ...base, issuer: naming as never })).toThrow(/options\.issuer\[0\]\.introspection/);
  });

  it("mode 'opaque' with opaqueTokens: false would introspect nothing: TypeError", () => {
    const issuer = [
      { issuer: A, jwks, introspection: { ...introspection, opaqueTokens: false } },
      { issuer: B, jwks },
    ];
    expect(() => createGuard({ ...base, issuer })).toThrow(/options\.issuer\[0\]\.introspection\.opaqueTokens/);
  });

  it('an http:// per-issuer endpoint on a non-loopback host is refused like any other (issue 23, item 12)', () => {
    const endpoint = 'http://a.example.com/introspect';
    const issuer = [{ issuer: A, jwks, introspection: { ...introspection, endpoint } }];
    const refused = /options\.issuer\[0\]\.introspection\.endpoint http:\/\/a\.example\.com.* non-loopback/;
    expect(() => createGuard({ ...base, issuer })).toThrow(refused);
  });
});
