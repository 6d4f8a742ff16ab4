#!/usr/bin/env node
// Benchmark (not a test): the aap-guard adapters next to the peer middleware a user would otherwise
// deploy, in one run, over loopback with keep-alive clients (bench/lib.mjs), all sending one repeated
// bearer token. Uses the built packages.
//   Express: a bare route; Auth0's express-oauth2-jwt-bearer `auth()` (JWT bearer validation, keys from
//     a JWKS served on loopback); `@aap-guard/express` `app.use(aap)` + `aap.require('search.web')`.
//   Fastify: a bare route; `@fastify/rate-limit` keyed by the Authorization header, in memory (rate
//     limiting alone); `@aap-guard/fastify` with a capability limited by `max_requests_per_minute`
//     (token verification + AAP authorization + rate limiting). Neither limit is ever reached.
// Each subject is probed first (it must refuse a request without a token, or show its rate-limit
// headers), so a misconfigured subject cannot pass for a fast one; every measured response must be 2xx.
// Rounds interleave the subjects, so a burst of load on a shared machine hits them alike; the best round
// of each counts. `pnpm bench:peers`.
// Env: BENCH_REQUESTS (default 3000 per round), BENCH_CONCURRENCY (32), BENCH_ROUNDS (5).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import express from 'express';
import Fastify from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { auth } from 'express-oauth2-jwt-bearer';
import { listen, load, probe } from './lib.mjs';

const dist = (pkg) => new URL(`../packages/${pkg}/dist/index.js`, import.meta.url);
if (!['core', 'express', 'fastify', 'testing'].every((pkg) => existsSync(fileURLToPath(dist(pkg))))) {
  console.error('bench: build first (`npm run setup` or `pnpm build`).');
  process.exit(1);
}
const { aapGuard: aapExpress } = await import(dist('express').href);
const { aapGuard: aapFastify } = await import(dist('fastify').href);
const { createIssuer, serveJwks } = await import(dist('testing').href);

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 3_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const LIMIT = 1_000_000; // per minute, for both rate limiters: far above what a run sends

const as = await createIssuer();
const jwks = await serveJwks(as.jwks); // both JWT verifiers fetch their keys from here, over loopback
const guardOptions = { issuer: as.issuer, audience: as.audience, jwks: { uri: jwks.jwksUri } };
const bearer = async (constraints) => `Bearer ${await as.mint({ ttl: 3600, capabilities: [{ action: 'search.web', constraints }] })}`;
const plain = await bearer(undefined);
const limited = await bearer({ max_requests_per_minute: LIMIT });
const payload = { results: [] };

/** An Express app with `middleware` in front of the search route; errors answer with their status. */
async function expressApp(...middleware) {
  const app = express();
  app.get('/v1/search', ...middleware, (_req, res) => res.json(payload));
  app.use((error, _req, res, _next) => res.status(error.status ?? 500).set(error.headers ?? {}).json({ error: error.code }));
  return listen(app);
}

/** A Fastify app after `setup(app)`, the search route declared with `config`. */
async function fastifyApp(setup, config = {}) {
  const app = Fastify();
  await setup(app);
  app.get('/v1/search', { config }, async () => payload);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { port: app.server.address().port, close: () => app.close() };
}

const expect = (condition, what) => {
  if (!condition) throw new Error(`bench: probe failed: ${what}`);
};
/** A guarded subject refuses a request without a token (that it admits ours, every measured response shows). */
const refusesAnonymous = (name) => async (port) => {
  expect((await probe(port)).status === 401, `${name} admitted a request without a token`);
};
/** A rate-limited subject shows the configured quota on an admitted response. */
const showsQuota = (name, header, pattern) => async (port, authorization) => {
  const { status, headers } = await probe(port, { authorization });
  expect(status === 200 && pattern.test(String(headers[header])), `${name}: status ${status}, ${header}: ${headers[header]}`);
};

const subjects = [
  { group: 'Express', name: 'bare route', authorization: plain, start: () => expressApp() },
  {
    group: 'Express', name: 'express-oauth2-jwt-bearer', peer: true, authorization: plain,
    start: () => expressApp(auth({ issuer: as.issuer, audience: as.audience, jwksUri: jwks.jwksUri })),
    check: refusesAnonymous('express-oauth2-jwt-bearer'),
  },
  {
    group: 'Express', name: '@aap-guard/express', authorization: plain,
    start: async () => {
      const aap = aapExpress(guardOptions);
      const app = express();
      app.use(aap);
      app.get('/v1/search', aap.require('search.web'), (_req, res) => res.json(payload));
      const server = await listen(app);
      return { port: server.port, close: async () => Promise.all([server.close(), aap.guard.close()]) };
    },
    check: refusesAnonymous('@aap-guard/express'),
  },
  { group: 'Fastify', name: 'bare route', authorization: limited, start: () => fastifyApp(async () => {}) },
  {
    group: 'Fastify', name: '@fastify/rate-limit', peer: true, authorization: limited,
    start: () => fastifyApp((app) => app.register(rateLimit, { max: LIMIT, timeWindow: 60_000, keyGenerator: (request) => request.headers.authorization ?? request.ip })),
    check: showsQuota('@fastify/rate-limit', 'x-ratelimit-limit', new RegExp(`^${LIMIT}$`)),
  },
  {
    group: 'Fastify', name: '@aap-guard/fastify (limited)', authorization: limited,
    start: () => fastifyApp((app) => app.register(aapFastify, guardOptions), { aap: { action: 'search.web' } }),
    check: async (port, authorization) => {
      await refusesAnonymous('@aap-guard/fastify')(port);
      await showsQuota('@aap-guard/fastify', 'ratelimit-policy', new RegExp(`;q=${LIMIT};w=60\\b`))(port, authorization);
    },
  },
];

const require = createRequire(import.meta.url);
const version = (pkg) => `${pkg} ${require(`${pkg}/package.json`).version}`;
console.log(`Peers: ${REQUESTS} requests per round, best of ${ROUNDS} rounds, ${CONCURRENCY} keep-alive clients, loopback, Node ${process.version}`);
console.log(`  ${['express', 'express-oauth2-jwt-bearer', 'fastify', '@fastify/rate-limit'].map(version).join(', ')}`);

const servers = [];
try {
  for (const subject of subjects) {
    const server = await subject.start();
    servers.push(server);
    subject.port = server.port;
    await subject.check?.(server.port, subject.authorization);
    subject.rate = 0;
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const subject of subjects) {
      const warmup = round === 0 ? Math.min(2000, REQUESTS) : Math.min(200, REQUESTS); // later rounds: sockets only
      const rate = await load(subject.port, { requests: REQUESTS, concurrency: CONCURRENCY, warmup, headers: { authorization: subject.authorization } });
      subject.rate = Math.max(subject.rate, rate);
    }
  }
} finally {
  await Promise.all(servers.map((server) => server.close()));
  await jwks.close();
}

for (const group of ['Express', 'Fastify']) {
  const members = subjects.filter((subject) => subject.group === group);
  const [bare] = members;
  const peer = members.find((subject) => subject.peer);
  console.log(`\n${group}`);
  for (const { name, rate } of members) {
    const ofPeer = name === bare.name ? '' : `   ${(rate / peer.rate).toFixed(2).padStart(5)}x the peer`;
    console.log(`  ${name.padEnd(30)} ${Math.round(rate).toString().padStart(7)} req/s   ${((rate / bare.rate) * 100).toFixed(1).padStart(5)}% of bare${ofPeer}`);
  }
}
