// What `npm run bench` measures: the subjects (one server each) and how each is probed before it is
// measured. The rows reported from them are in bench/goals.mjs; the method is in bench/README.md.

/** Far above what any run sends: the rate limit is checked and counted on every request, never reached. */
export const LIMIT = 10_000_000;
/** The constrained capability of every token: a domain allow-list and a per-minute sliding window. */
export const CAPABILITY = {
  action: 'search.web',
  constraints: { domains_allowed: ['wikipedia.org'], max_requests_per_minute: LIMIT },
};
export const PATH = `/v1/search?url=${encodeURIComponent('https://en.wikipedia.org/wiki/OAuth')}`;
const BLOCKED = `/v1/search?url=${encodeURIComponent('https://evil.example/')}`;

/**
 * Authorization headers a flood of malformed tokens cycles through (each connection in turn): not a JWS,
 * two segments, `alg: none`, a header that is not JSON, a JWS whose signature is not base64url.
 */
export const GARBAGE = [
  'Bearer not-a-jwt',
  'Bearer eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0',
  'Bearer eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.',
  'Bearer eyJhbGciOiJFUzI1NiIs.eyJpc3MiOiJ4In0.c2ln',
  'Bearer eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0.!!!!',
];

const expect = (condition, what) => {
  if (!condition) throw new Error(`probe failed: ${what}`);
};
/**
 * Probes: each gets `{ get(path, headers) → { status, headers }, tokens, proof(path), request(path) }`
 * (`request` gives the headers of one measured request: a fresh token or proof where the subject sends
 * one) and the subject; throws on a failure.
 */
const PROBES = {
  measuredRequest: async ({ get, request }, s) => {
    const { status } = await get(PATH, await request());
    expect(s.expect.includes(status), `the measured request got ${status}, not ${s.expect.join(' or ')}`);
  },
  everyVariant: async ({ get }, s) => {
    for (const authorization of s.variants) {
      const { status } = await get(PATH, { authorization });
      expect(s.expect.includes(status), `${authorization.slice(0, 24)}… got ${status}`);
    }
  },
  admitsValidToken: async ({ get, tokens }) => {
    const { status } = await get(PATH, { authorization: `Bearer ${tokens.bearer}` });
    expect(status === 200, `a valid token got ${status}`);
  },
  refusesAnonymous: async ({ get }) => {
    const { status } = await get(PATH, {});
    expect(status === 401, `a request without a token got ${status}`);
  },
  refusesForged: async ({ get, tokens }) => {
    const { status } = await get(PATH, { authorization: `Bearer ${tokens.forged}` });
    expect(status === 401, `a token signed by another key (same kid) got ${status}`);
  },
  enforcesDomains: async ({ get, request }) => {
    const { status } = await get(BLOCKED, await request(BLOCKED));
    expect(status === 403, `a target outside domains_allowed got ${status}`);
  },
  showsGuardQuota: async ({ get, request }) => {
    const { status, headers } = await get(PATH, await request());
    const policy = String(headers['ratelimit-policy']);
    expect(status === 200 && new RegExp(`;q=${LIMIT};w=60\\b`).test(policy), `RateLimit-Policy: ${policy}`);
  },
  showsPeerQuota: async ({ get, request }) => {
    const { status, headers } = await get(PATH, await request());
    const limit = headers['x-ratelimit-limit'];
    expect(status === 200 && limit === String(LIMIT), `x-ratelimit-limit: ${limit}`);
  },
  refusesReplayedProof: async ({ get, tokens, proof }) => {
    const headers = { authorization: `DPoP ${tokens.bound}`, dpop: await proof(PATH) };
    const first = await get(PATH, headers);
    const second = await get(PATH, headers);
    const what = `a proof sent twice got ${first.status}, then ${second.status}`;
    expect(first.status === 200 && second.status === 401, what);
  },
  refusesDowngrade: async ({ get, tokens }) => {
    const { status } = await get(PATH, { authorization: `Bearer ${tokens.bound}` });
    expect(status === 401, `a DPoP-bound token sent as Bearer got ${status}`);
  },
  refusesMissingProof: async ({ get, tokens }) => {
    const { status } = await get(PATH, { authorization: `DPoP ${tokens.bound}` });
    expect(status === 401, `a request without a proof got ${status}`);
  },
  refusesTamperedProof: async ({ get, tokens, proof }) => {
    const good = await proof(PATH);
    const bad = `${good.slice(0, -4)}${good.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    const { status } = await get(PATH, { authorization: `DPoP ${tokens.bound}`, dpop: bad });
    expect(status === 401, `a proof with a broken signature got ${status}`);
  },
};
const GUARD = ['refusesAnonymous', 'refusesForged', 'enforcesDomains', 'showsGuardQuota'];
const JWT_PEER = ['refusesAnonymous', 'refusesForged'];
const REFUSER = ['admitsValidToken', 'refusesAnonymous'];
const DPOP = ['refusesMissingProof', 'refusesTamperedProof'];

/**
 * `token`: what each request carries — `bearer` (the same cached token on every request), `dpop` (the
 * bound token and a fresh proof), `fresh` (a token never seen before, from a pool signed before the
 * timed part), `forged` (a distinct token signed by another key with the issuer's kid, same pool
 * mechanism), `garbage` (GARBAGE, in turn). `expect`: the statuses a measured request must get.
 * `optional`: left out of a run that names no subjects (`--all` or its id brings it in).
 */
const subject = (id, label, app, more = {}) => ({
  id,
  group: id.split('/')[0],
  label,
  app,
  token: 'bearer',
  store: 'memory',
  expect: [200],
  probes: [],
  ...more,
});

/** The Redis store under a framework: optional (issue 26's Redis goal is on node:http). */
const REDIS = { store: 'redis', optional: true };

/** Every subject, by group; a group's subjects are measured in interleaved rounds. */
export const SUBJECTS = [
  subject('http/bare', 'node:http, bare handler', 'http-bare', { bare: true }),
  subject('http/guard', 'node:http + guard.check()', 'http-guard', { probes: GUARD }),
  subject('http/guard-redis', 'node:http + guard.check() (Redis store)', 'http-guard', {
    store: 'redis',
    probes: GUARD,
  }),
  // The same with `batch: 0`: one script call per request, what a limit under 2,000 per window costs.
  subject('http/guard-redis-exact', 'node:http + guard.check() (Redis store, batch: 0)', 'http-guard', {
    store: 'redis',
    batch: 0,
    probes: GUARD,
  }),
  subject('http/first-seen', 'node:http + guard.check(), a token never seen before on every request', 'http-guard', {
    token: 'fresh',
    probes: GUARD,
  }),
  subject('http/jose', 'node:http + jose jwtVerify() on every request (a raw JWT verify)', 'http-jose', {
    probes: JWT_PEER,
  }),
  subject('http/refuse-forged', 'node:http + guard.check(), a distinct forged token each (401)', 'http-guard', {
    token: 'forged',
    expect: [401],
    probes: REFUSER,
  }),
  subject('http/refuse-garbage', 'node:http + guard.check(), malformed tokens (400/401)', 'http-guard', {
    token: 'garbage',
    variants: GARBAGE,
    expect: [400, 401],
    probes: ['everyVariant', ...REFUSER],
  }),
  subject('dpop/raw', 'node:http + one raw ES256 verify of the proof', 'http-dpop-raw', {
    token: 'dpop',
    probes: DPOP,
  }),
  subject('dpop/guard', 'node:http + guard.check(), DPoP', 'http-guard', {
    token: 'dpop',
    probes: [...DPOP, 'refusesDowngrade', 'refusesReplayedProof', 'enforcesDomains', 'showsGuardQuota'],
  }),
  subject('express/bare', 'Express, bare route', 'express-bare', { bare: true }),
  subject('express/noop2', 'Express + two no-op middleware layers (app.use + route)', 'express-noop2'),
  ...['props', 'headers', 'url', 'query', 'alloc', 'all'].map((suspect) =>
    subject(`express/suspect-${suspect}`, `Express + two no-op layers doing "${suspect}"`, 'express-suspect', {
      suspect,
      optional: true,
    }),
  ),
  subject('express/guard', 'Express + @aap-guard/express (memory)', 'express-guard', { probes: GUARD }),
  subject('express/guard-redis', 'Express + @aap-guard/express (Redis)', 'express-guard', { ...REDIS, probes: GUARD }),
  subject('express/auth0', 'Express + express-oauth2-jwt-bearer', 'express-auth0', { probes: JWT_PEER }),
  subject('fastify/bare', 'Fastify, bare route', 'fastify-bare', { bare: true }),
  subject('fastify/guard', 'Fastify + @aap-guard/fastify (memory)', 'fastify-guard', { probes: GUARD }),
  subject('fastify/guard-redis', 'Fastify + @aap-guard/fastify (Redis)', 'fastify-guard', { ...REDIS, probes: GUARD }),
  subject('fastify/jwt', 'Fastify + @fastify/jwt (fast-jwt)', 'fastify-jwt', { probes: JWT_PEER }),
  subject('fastify/rate-limit', 'Fastify + @fastify/rate-limit', 'fastify-rate-limit', { probes: ['showsPeerQuota'] }),
  subject('koa/bare', 'Koa + @koa/router, bare route', 'koa-bare', { bare: true }),
  subject('koa/guard', 'Koa + @aap-guard/koa (memory)', 'koa-guard', { probes: GUARD }),
  subject('koa/guard-redis', 'Koa + @aap-guard/koa (Redis)', 'koa-guard', { ...REDIS, probes: GUARD }),
  subject('koa/jwt', 'Koa + koa-jwt', 'koa-jwt', { probes: JWT_PEER }),
];
for (const s of SUBJECTS) {
  const probe = (name) => Object.assign((ctx) => PROBES[name](ctx, s), { probeName: name });
  s.probes = ['measuredRequest', ...s.probes].map(probe);
}

/** The in-process micro-benchmark's group (bench/micro.mjs) and the Redis window-memory group. */
export const MICRO = 'check';
export const WINDOW = 'window';
export const GROUPS = [MICRO, 'http', 'dpop', 'express', 'fastify', 'koa', WINDOW];
