// The rows `npm run bench` reports, from the subjects of bench/subjects.mjs. Every row is computed round
// by round from subjects measured in the same interleaved rounds (one group), then summarized
// (bench/lib/stats.mjs). Kinds:
//  - `ratio`: num ÷ den, twice — of throughput (requests/s) and of requests per CPU-second of the server
//    (plus redis-server for a Redis subject); `min` is the goal;
//  - `added`: server CPU µs per request of num minus den (what num adds); `max` is the goal;
//  - `cpu`: server CPU µs per request of one subject;
//  - `window`: bytes of one rate-limit window in Redis (the `window` group); `micro`: bench/micro.mjs µs.

/** Issue 26's goals, one section per goal (its lines measured together). */
export const GOALS = [
  {
    title: 'Express: server CPU the guard adds per request over bare Express',
    lines: [
      { kind: 'added', label: 'Express + guard − bare Express', num: 'express/guard', den: 'express/bare', max: 15 },
      {
        kind: 'added',
        label: 'two no-op layers − bare Express (the floor of any two-layer middleware)',
        num: 'express/noop2',
        den: 'express/bare',
      },
      { kind: 'cpu', label: 'bare Express, server CPU per request', subject: 'express/bare' },
    ],
  },
  {
    title: 'Express + guard / express-oauth2-jwt-bearer',
    lines: [{ kind: 'ratio', num: 'express/guard', den: 'express/auth0', min: 1.6 }],
  },
  {
    title: 'node:http + `check()` / bare node:http (route compiled once)',
    lines: [{ kind: 'ratio', num: 'http/guard', den: 'http/bare', min: 0.9 }],
  },
  {
    title: 'DPoP: node:http + guard / node:http + one raw ES256 verify',
    lines: [
      { kind: 'ratio', num: 'dpop/guard', den: 'dpop/raw', min: 0.85 },
      { kind: 'added', label: 'server CPU over the verify', num: 'dpop/guard', den: 'dpop/raw' },
    ],
  },
  {
    title: 'Redis store / memory store, node:http',
    lines: [
      { kind: 'ratio', num: 'http/guard-redis', den: 'http/guard', min: 0.8 },
      {
        kind: 'added',
        label: 'CPU over the memory store (server + redis-server)',
        num: 'http/guard-redis',
        den: 'http/guard',
      },
      { kind: 'ratio', num: 'http/guard-redis-exact', den: 'http/guard' },
      {
        kind: 'added',
        label: 'one script call per request (`batch: 0`): CPU over the memory store (server + redis-server)',
        num: 'http/guard-redis-exact',
        den: 'http/guard',
      },
    ],
  },
  {
    title: 'Redis memory per rate-limited token after 300 requests (one sliding minute)',
    lines: [
      { kind: 'window', label: 'at a limit of 10,000/minute', limit: 10_000, max: 2048 },
      { kind: 'window', label: 'at a limit of 100,000,000/minute', limit: 100_000_000, max: 2048 },
      {
        kind: 'window',
        label: 'growth from the lower limit to the higher (independent of the limit: ≤ 64 bytes)',
        growth: true,
        max: 64,
      },
    ],
  },
];

/** µs of server CPU per request that the guard (or a path of it) adds over a floor, per framework and path. */
export const ADDED = [
  { label: 'node:http: guard − bare', num: 'http/guard', den: 'http/bare' },
  { label: 'Express: guard − bare', num: 'express/guard', den: 'express/bare', max: 15 },
  { label: 'Express: two no-op layers − bare', num: 'express/noop2', den: 'express/bare' },
  { label: 'Express: guard − two no-op layers', num: 'express/guard', den: 'express/noop2' },
  ...['props', 'headers', 'url', 'query', 'alloc', 'all'].map((suspect) => ({
    label: `Express: suspect "${suspect}" − two no-op layers`,
    num: `express/suspect-${suspect}`,
    den: 'express/noop2',
  })),
  { label: 'Fastify: guard − bare', num: 'fastify/guard', den: 'fastify/bare' },
  { label: 'Koa: guard − bare', num: 'koa/guard', den: 'koa/bare' },
  { label: 'node:http: guard on Redis − bare (server + redis-server)', num: 'http/guard-redis', den: 'http/bare' },
  { label: 'node:http: a first-seen token − bare', num: 'http/first-seen', den: 'http/bare' },
  { label: 'node:http: a first-seen token − a cached token', num: 'http/first-seen', den: 'http/guard' },
  { label: 'node:http: a first-seen token − a raw jose verify', num: 'http/first-seen', den: 'http/jose' },
  { label: 'node:http: refusing a forged token − bare', num: 'http/refuse-forged', den: 'http/bare' },
  { label: 'node:http: refusing a malformed token − bare', num: 'http/refuse-garbage', den: 'http/bare' },
  { label: 'DPoP: guard − one raw ES256 verify', num: 'dpop/guard', den: 'dpop/raw' },
].map((line) => ({ kind: 'added', ...line }));

/** Peers and other ratios, without a goal of issue 26. */
export const OTHERS = [
  {
    kind: 'micro',
    label: '`guard.check()` in process, cached token, domains + rate limit (µs per call; issue 15: ≤ 4)',
    micro: 'constrained',
    max: 4,
  },
  { kind: 'ratio', num: 'express/guard', den: 'express/bare' },
  { kind: 'ratio', num: 'fastify/guard', den: 'fastify/bare' },
  { kind: 'ratio', num: 'koa/guard', den: 'koa/bare' },
  { kind: 'ratio', num: 'http/first-seen', den: 'http/jose' },
  { kind: 'ratio', num: 'fastify/guard', den: 'fastify/jwt' },
  { kind: 'ratio', num: 'fastify/guard', den: 'fastify/rate-limit' },
  { kind: 'ratio', num: 'koa/guard', den: 'koa/jwt' },
  { kind: 'ratio', num: 'express/guard-redis', den: 'express/guard' },
  { kind: 'ratio', num: 'fastify/guard-redis', den: 'fastify/guard' },
  { kind: 'ratio', num: 'koa/guard-redis', den: 'koa/guard' },
];
