#!/usr/bin/env node
// Benchmark (not a test): the same node:http handler bare, behind guard.check() with a repeated
// bearer token, and behind jose's jwtVerify per request (the peer baseline), over loopback with N
// keep-alive clients; then check() alone vs a bare function call. Uses the built packages.
// `pnpm bench` / `npm run bench`. Env: BENCH_REQUESTS (default 20000), BENCH_CONCURRENCY (32).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { listen, load } from './lib.mjs';

const dist = (pkg) => new URL(`../packages/${pkg}/dist/index.js`, import.meta.url);
if (!existsSync(fileURLToPath(dist('core'))) || !existsSync(fileURLToPath(dist('testing')))) {
  console.error('bench: build first (`npm run setup` or `pnpm build`).');
  process.exit(1);
}
const { createGuard, nodeRequestInfo, writeDeny } = await import(dist('core').href);
const { createIssuer } = await import(dist('testing').href);

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);

const as = await createIssuer();
const token = await as.mint({ capabilities: [{ action: 'search.web' }], ttl: 3600 });
const guard = createGuard({ issuer: as.issuer, audience: as.audience, jwks: as.jwks });
const route = guard.route({ action: 'search.web' });
const jwks = createLocalJWKSet(as.jwks);
const payload = JSON.stringify({ results: [] });
const ok = (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(payload);

const handlers = {
  'bare node:http': (_req, res) => ok(res),
  'guard.check()': (req, res) => {
    guard.check(nodeRequestInfo(req), route).then((d) => (d.allowed ? ok(res) : writeDeny(res, d)), () => res.destroy());
  },
  'jose jwtVerify': (req, res) => {
    const value = req.headers.authorization?.slice(7) ?? '';
    jwtVerify(value, jwks, { issuer: as.issuer, audience: as.audience }).then(() => ok(res), () => res.writeHead(401).end());
  },
};

console.log(`HTTP: ${REQUESTS} requests, ${CONCURRENCY} keep-alive clients, loopback, Node ${process.version}`);
const rates = {};
for (const [name, handler] of Object.entries(handlers)) {
  rates[name] = await serveAndLoad(handler);
  const ratio = rates[name] / rates['bare node:http'];
  console.log(`  ${name.padEnd(16)} ${Math.round(rates[name]).toString().padStart(8)} req/s   ${(ratio * 100).toFixed(1).padStart(5)}% of bare`);
}

console.log('\nIn-process: one call per iteration');
const info = { method: 'GET', url: 'http://127.0.0.1/v1/search', headers: { authorization: [`Bearer ${token}`] }, clientIp: '127.0.0.1' };
const bare = await ops(async () => info.method.length);
const check = await ops(() => guard.check(info, route));
// A realistic agent token: constraints compiled once per verified token, a sliding window consumed per call.
const constrained = await as.mint({
  ttl: 3600,
  capabilities: [{ action: 'search.web', constraints: {
    domains_allowed: ['example.org', 'wikipedia.org'], allowed_methods: ['GET'], max_request_size: 1024,
    max_requests_per_minute: 1e9, time_window: { start: '2000-01-01T00:00:00Z', end: '2100-01-01T00:00:00Z' } } }],
});
const constrainedInfo = { ...info, headers: { authorization: [`Bearer ${constrained}`] }, target: 'https://en.wikipedia.org/wiki/OAuth' };
const sample = await guard.check(constrainedInfo, route);
if (!sample.allowed) throw new Error(`bench: the constrained token was denied (${sample.reason})`);
const checkConstrained = await ops(() => guard.check(constrainedInfo, route));
const verify = await ops(() => jwtVerify(token, jwks, { issuer: as.issuer, audience: as.audience }));
for (const [name, rate] of [['bare async function', bare], ['guard.check()', check], ['check(), constrained', checkConstrained], ['jose jwtVerify', verify]]) {
  console.log(`  ${name.padEnd(20)} ${Math.round(rate).toString().padStart(10)} ops/s   ${(bare / rate).toFixed(1).padStart(6)}x the cost of a bare call`);
}
console.log(`\nguard.check() over HTTP: ${((rates['guard.check()'] / rates['bare node:http']) * 100).toFixed(1)}% of bare throughput; ` +
  `${(rates['guard.check()'] / rates['jose jwtVerify']).toFixed(1)}x jwtVerify-per-request.`);
await guard.close();

/** Serve `handler` on loopback and drive it with CONCURRENCY keep-alive clients; returns req/s. */
async function serveAndLoad(handler) {
  const server = await listen(handler);
  try {
    return await load(server.port, { requests: REQUESTS, concurrency: CONCURRENCY, headers: { authorization: `Bearer ${token}` } });
  } finally {
    await server.close();
  }
}

/** Operations per second of `fn` over ~0.5 s after a warm-up. */
async function ops(fn) {
  for (let i = 0; i < 5_000; i += 1) await fn();
  let count = 0;
  const started = performance.now();
  while (performance.now() - started < 500) {
    for (let i = 0; i < 1_000; i += 1) await fn();
    count += 1_000;
  }
  return count / ((performance.now() - started) / 1000);
}
