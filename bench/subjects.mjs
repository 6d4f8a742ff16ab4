// What `npm run bench` measures: the subjects (one server each), how each is probed before it is
// measured, and the ratios reported (the table of tracker issue 15, plus the peer rows).

/** Far above what any run sends: the rate limit is checked and counted on every request, never reached. */
export const LIMIT = 10_000_000;
/** The constrained capability of every token: a domain allow-list and a per-minute sliding window. */
export const CAPABILITY = { action: 'search.web', constraints: { domains_allowed: ['wikipedia.org'], max_requests_per_minute: LIMIT } };
export const PATH = `/v1/search?url=${encodeURIComponent('https://en.wikipedia.org/wiki/OAuth')}`;
const BLOCKED = `/v1/search?url=${encodeURIComponent('https://evil.example/')}`;

const expect = (condition, what) => {
  if (!condition) throw new Error(`probe failed: ${what}`);
};
/** Probes: each gets `{ get(path, headers) → { status, headers }, tokens, proof() }`; throws on a failure. */
const PROBES = {
  admitsMeasuredRequest: async ({ get, request }) => {
    const { status } = await get(PATH, await request());
    expect(status === 200, `the measured request got ${status}`);
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
    expect(status === 200 && new RegExp(`;q=${LIMIT};w=60\\b`).test(String(headers['ratelimit-policy'])), `RateLimit-Policy: ${headers['ratelimit-policy']}`);
  },
  showsPeerQuota: async ({ get, request }) => {
    const { status, headers } = await get(PATH, await request());
    expect(status === 200 && headers['x-ratelimit-limit'] === String(LIMIT), `x-ratelimit-limit: ${headers['x-ratelimit-limit']}`);
  },
  refusesReplayedProof: async ({ get, tokens, proof }) => {
    const headers = { authorization: `DPoP ${tokens.bound}`, dpop: await proof(PATH) };
    const first = await get(PATH, headers);
    const second = await get(PATH, headers);
    expect(first.status === 200 && second.status === 401, `a proof sent twice got ${first.status}, then ${second.status}`);
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

const subject = (id, label, app, more = {}) => ({ id, group: id.split('/')[0], label, app, auth: 'bearer', store: 'memory', probes: [], ...more });

/** Every subject, by group; a group's subjects are measured in interleaved rounds. */
export const SUBJECTS = [
  subject('http/bare', 'node:http, bare handler', 'http-bare', { bare: true }),
  subject('http/guard', 'node:http + guard.check()', 'http-guard', { probes: GUARD }),
  subject('dpop/raw', 'node:http + one raw ES256 verify of the proof', 'http-dpop-raw', { auth: 'dpop', probes: ['refusesMissingProof', 'refusesTamperedProof'] }),
  subject('dpop/guard', 'node:http + guard.check(), DPoP', 'http-guard', { auth: 'dpop', probes: ['refusesMissingProof', 'refusesTamperedProof', 'refusesDowngrade', 'refusesReplayedProof', 'enforcesDomains', 'showsGuardQuota'] }),
  subject('express/bare', 'Express, bare route', 'express-bare', { bare: true }),
  subject('express/guard', 'Express + @aap-guard/express (memory)', 'express-guard', { probes: GUARD }),
  subject('express/guard-redis', 'Express + @aap-guard/express (Redis)', 'express-guard', { store: 'redis', probes: GUARD }),
  subject('express/auth0', 'Express + express-oauth2-jwt-bearer', 'express-auth0', { probes: JWT_PEER }),
  subject('fastify/bare', 'Fastify, bare route', 'fastify-bare', { bare: true }),
  subject('fastify/guard', 'Fastify + @aap-guard/fastify (memory)', 'fastify-guard', { probes: GUARD }),
  subject('fastify/guard-redis', 'Fastify + @aap-guard/fastify (Redis)', 'fastify-guard', { store: 'redis', probes: GUARD }),
  subject('fastify/jwt', 'Fastify + @fastify/jwt (fast-jwt)', 'fastify-jwt', { probes: JWT_PEER }),
  subject('fastify/rate-limit', 'Fastify + @fastify/rate-limit', 'fastify-rate-limit', { probes: ['showsPeerQuota'] }),
  subject('koa/bare', 'Koa + @koa/router, bare route', 'koa-bare', { bare: true }),
  subject('koa/guard', 'Koa + @aap-guard/koa (memory)', 'koa-guard', { probes: GUARD }),
  subject('koa/guard-redis', 'Koa + @aap-guard/koa (Redis)', 'koa-guard', { store: 'redis', probes: GUARD }),
  subject('koa/jwt', 'Koa + koa-jwt', 'koa-jwt', { probes: JWT_PEER }),
];
for (const s of SUBJECTS) s.probes = ['admitsMeasuredRequest', ...s.probes].map((name) => PROBES[name]); // each is named by its key

/** The in-process micro-benchmark's group name (bench/micro.mjs). */
export const MICRO = 'check';
export const GROUPS = ['check', 'http', 'dpop', 'express', 'fastify', 'koa'];

/**
 * The reported rows: `num / den` of median rates (or a micro-benchmark figure in µs), with the goal
 * of issue 15 where it sets one (`min` for ratios, `max` for µs).
 */
export const ROWS = [
  { label: 'Express + guard (constrained token: domains + rate limit, memory store) / bare Express', num: 'express/guard', den: 'express/bare', min: 0.92 },
  { label: 'Express + guard / express-oauth2-jwt-bearer', num: 'express/guard', den: 'express/auth0', min: 1.6 },
  { label: 'Fastify + guard (same token) / bare Fastify', num: 'fastify/guard', den: 'fastify/bare', min: 0.88 },
  { label: 'Koa + guard / bare Koa', num: 'koa/guard', den: 'koa/bare', min: 0.88 },
  { label: '`guard.check()` in process, cached token, domains + rate limit (µs per call)', micro: 'constrained', max: 4 },
  { label: 'node:http + `guard.check()` / bare node:http', num: 'http/guard', den: 'http/bare', min: 0.8 },
  { label: 'DPoP request: node:http + guard / node:http + one raw ES256 verify per request', num: 'dpop/guard', den: 'dpop/raw', min: 0.85 },
  { label: 'Redis store / memory store, Express', num: 'express/guard-redis', den: 'express/guard', min: 0.8 },
  { label: 'Redis store / memory store, Fastify', num: 'fastify/guard-redis', den: 'fastify/guard', min: 0.8 },
  { label: 'Redis store / memory store, Koa', num: 'koa/guard-redis', den: 'koa/guard', min: 0.8 },
  { label: 'Fastify + guard / @fastify/jwt (fast-jwt, verifies every request)', num: 'fastify/guard', den: 'fastify/jwt' },
  { label: 'Fastify + guard / @fastify/rate-limit (rate limiting alone)', num: 'fastify/guard', den: 'fastify/rate-limit' },
  { label: 'Koa + guard / koa-jwt (jsonwebtoken, verifies every request)', num: 'koa/guard', den: 'koa/jwt' },
];
