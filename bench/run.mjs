#!/usr/bin/env node
// `npm run bench [-- group|subject …]`: bare / guard / peers for node:http, Express, Fastify and Koa,
// memory and Redis stores, Bearer and DPoP, in one run, and the ratios of issue 15 (bench/subjects.mjs).
// Each server runs in its own child process (bench/server.mjs), the load generator in another
// (bench/load.mjs, autocannon), the guard.check() micro-benchmark in a third (bench/micro.mjs).
// A full run writes bench/RESULTS.md. Env knobs: see `settings` below and the README "Benchmark".
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { exportJWK } from 'jose';
import { spawnChild } from './lib/children.mjs';
import { dist, requireFreshBuild } from './lib/dist.mjs';
import { startRedis } from './lib/redis.mjs';
import { consoleTable, environment, evaluate, markdown, median } from './lib/report.mjs';
import { CAPABILITY, GROUPS, LIMIT, MICRO, PATH, ROWS, SUBJECTS } from './subjects.mjs';

requireFreshBuild();
const { createIssuer, createDpopKey, dpopProof } = await import(dist('testing').href);

const knob = (name, fallback) => {
  const value = process.env[name] === undefined || process.env[name] === '' ? fallback : Number(process.env[name]);
  if (!(value > 0)) throw new TypeError(`bench: ${name} must be a positive number`);
  return value;
};
const DURATION = knob('BENCH_DURATION', 2); // seconds per round
const ROUNDS = Math.round(knob('BENCH_ROUNDS', 5));
const WARMUP = knob('BENCH_WARMUP', 2); // seconds per subject, after a calibration burst
const CONNECTIONS = Math.round(knob('BENCH_CONNECTIONS', 32));
const MICRO_SECONDS = knob('BENCH_MICRO_SECONDS', 0.5);
const PROFILE = process.env.BENCH_PROFILE === '1'; // CPU profiles of the servers' measured rounds, in bench/profiles/
const here = (file) => fileURLToPath(new URL(file, import.meta.url));

const args = process.argv.slice(2);
const unknown = args.filter((arg) => !GROUPS.includes(arg) && !SUBJECTS.some((s) => s.id === arg));
if (unknown.length > 0) {
  console.error(`bench: unknown ${unknown.join(', ')}. Groups: ${GROUPS.join(', ')}. Subjects: ${SUBJECTS.map((s) => s.id).join(', ')}.`);
  process.exit(2);
}
const selected = SUBJECTS.filter((s) => args.length === 0 || args.includes(s.group) || args.includes(s.id));
const runMicro = args.length === 0 || args.includes(MICRO);
const log = (line) => console.log(line);

// One issuer and its tokens for the whole run; a second key with the same kid forges tokens for the probes.
const as = await createIssuer();
const forger = await createIssuer({ kid: as.kid });
const dpopKey = await createDpopKey('ES256');
const tokens = {
  bearer: await as.mint({ ttl: 3600, capabilities: [CAPABILITY] }),
  forged: await forger.mint({ ttl: 3600, capabilities: [CAPABILITY] }),
  bound: await as.mint({ ttl: 3600, jkt: dpopKey.jkt, capabilities: [CAPABILITY] }),
};
const loaderDpop = { privateJwk: await exportJWK(dpopKey.privateKey), publicJwk: dpopKey.publicJwk, token: tokens.bound };
const headersOf = (s) => ({ authorization: s.auth === 'dpop' ? `DPoP ${tokens.bound}` : `Bearer ${tokens.bearer}` });

/** One GET over a fresh connection: `{ status, headers }`. */
const get = (port) => (path, headers) =>
  new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      res.resume().on('end', () => resolve({ status: res.statusCode, headers: res.headers }));
    }).on('error', reject).end();
  });

async function probe(s) {
  const proof = (path) => dpopProof({ key: dpopKey, method: 'GET', url: `http://127.0.0.1:${s.port}${path}`, accessToken: tokens.bound });
  const requestHeaders = async (path = PATH) => ({ ...headersOf(s), ...(s.auth === 'dpop' ? { dpop: await proof(path) } : {}) });
  for (const check of s.probes) {
    try {
      await check({ get: get(s.port), tokens, proof, request: requestHeaders });
    } catch (error) {
      throw new Error(`bench: ${s.id} (${check.name}): ${error.message}`);
    }
  }
}

let loader;
/**
 * One load run against `s` for about `seconds` (a DPoP run: as many requests as the subject's last rate
 * gives in that time, one fresh proof each); throws on any non-2xx response or error.
 */
async function measure(s, seconds) {
  const redisBefore = s.redis?.cpu();
  const before = await s.server.call('cpu');
  const dpop = s.auth === 'dpop' ? loaderDpop : undefined;
  const amount = dpop ? Math.max(CONNECTIONS * 4, Math.round((s.estimate ?? 200) * seconds)) : undefined;
  const run = await loader.call('run', { port: s.port, path: PATH, headers: headersOf(s), seconds, amount, connections: CONNECTIONS, dpop });
  const after = await s.server.call('cpu');
  const redisSpent = s.redis ? s.redis.cpu() - redisBefore : 0; // NaN where /proc is missing
  const statuses = Object.entries(run.failures).map(([status, count]) => `${count}× ${status}`);
  if (statuses.length > 0 || run.errors > 0 || run.exhausted) {
    throw new Error(`bench: ${s.id} aborted: ${[...statuses, run.errors ? `${run.errors} errors (${run.timeouts} timeouts)` : '', run.exhausted ? 'DPoP proof pool exhausted' : ''].filter(Boolean).join(', ')}`);
  }
  s.estimate = run.rate;
  // CPU spent serving one request: the server's, plus redis-server's for a Redis-store subject.
  const cpuPerRequest = (after - before + redisSpent) / run.responses;
  return { ...run, serverCpu: (after - before) / 1e6 / run.seconds, cpuPerRequest };
}

async function measureGroup(group, members, redis) {
  try {
    for (const s of members) {
      s.server = spawnChild(here('./server.mjs'));
      const spec = { app: s.app, issuer: as.issuer, audience: as.audience, jwks: as.jwks, limit: LIMIT, store: s.store, redis: redis && { host: redis.host, port: redis.port }, prefix: `bench:${s.id}:` };
      ({ port: s.port } = await s.server.call('start', spec));
      if (s.store === 'redis') s.redis = redis;
      await probe(s);
      log(`  ${s.id}: probed (${s.probes.map((p) => p.name).join(', ')})`);
    }
    for (const s of members) {
      if (s.auth === 'dpop') await measure(s, 0.5); // sizes the warm-up's proof pool
      await measure(s, WARMUP);
    }
    if (PROFILE) await Promise.all(members.map((s) => s.server.call('profileStart')));
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const s of members) {
        const run = await measure(s, DURATION);
        s.runs.push(run);
        log(`  ${s.id.padEnd(20)} round ${round}: ${Math.round(run.rate).toString().padStart(6)} req/s in ${run.seconds.toFixed(1)} s, ${Math.round(run.cpuPerRequest)} µs CPU per request, server CPU ${Math.round(run.serverCpu * 100)}%, load generator CPU ${Math.round(run.loaderCpu * 100)}%`);
      }
    }
    if (PROFILE) {
      await Promise.all(members.map((s) => s.server.call('profileStop', here(`./profiles/${s.id.replace('/', '-')}.cpuprofile`))));
      log(`  CPU profiles of the rounds: bench/profiles/${group}-*.cpuprofile`);
    }
  } finally {
    await Promise.all(members.map((s) => s.server?.stop()));
  }
}

const settings = [
  `Load generator: autocannon in its own process, ${CONNECTIONS} keep-alive connections, pipelining 1, over 127.0.0.1; each server in its own process; one subject under load at a time.`,
  `Per subject: a warm-up of ${WARMUP} s, then ${ROUNDS} rounds of ${DURATION} s each, interleaved across the subjects of a group; the median round counts (DPoP rounds send as many requests as the subject's previous rate gives in that time, one pre-signed proof each). A rate counts 2xx responses from the first request sent to the last response received.`,
  `Token: ES256 at+jwt (1 h), one capability \`search.web\` with \`domains_allowed: ["wikipedia.org"]\` and \`max_requests_per_minute: ${LIMIT}\` (a sliding window checked and recorded on every request, never reached), the same token on every request to guards and peers alike; every request is GET ${PATH} (the guard's target is the \`url\` parameter). Every app answers with the same small JSON built from the parsed query.`,
  'Guards: issuer, audience and keys from a JWKS served on loopback, all else default; memory store (default) or `redisStore()` over ioredis on a real redis-server started by the bench on a free loopback port (a key prefix per subject).',
  `Peers: express-oauth2-jwt-bearer (keys from the JWKS on loopback); @fastify/jwt and koa-jwt (the issuer's public key as PEM, ES256, iss and aud checked) — all three verify the signature on every request; @fastify/rate-limit in memory keyed by the Authorization header, ${LIMIT} per minute.`,
  'DPoP: the token is bound to an ES256 key (`cnf.jkt`); the load generator signs one fresh proof per request before the timed part (`dpopProof` of @aap-guard/testing) and sends each proof once. The floor server verifies the proof\'s ES256 signature with the key of its `jwk` header (imported once per key) and nothing else.',
  `\`guard.check()\` micro-benchmark: in its own process, ${MICRO_SECONDS} s per variant and round (DPoP: 3000 calls with fresh proofs), ${ROUNDS} rounds after a warm-up round, median.`,
  'Before it is measured, every subject is probed: a guarded subject must refuse a request without a token and a token signed by another key, a guard must refuse a target outside `domains_allowed` and show its quota (`RateLimit-Policy`), @fastify/rate-limit its limit; DPoP subjects must refuse a missing or tampered proof, the guard also a replayed proof and the bound token sent as Bearer. Any non-2xx response during a run aborts the bench.',
  `Knobs: BENCH_DURATION=${DURATION} BENCH_ROUNDS=${ROUNDS} BENCH_WARMUP=${WARMUP} BENCH_CONNECTIONS=${CONNECTIONS} BENCH_MICRO_SECONDS=${MICRO_SECONDS}.`,
];

const started = performance.now();
const redis = selected.some((s) => s.store === 'redis') ? await startRedis() : undefined;
const env = environment(redis?.version);
log(`aap-guard bench: ${selected.length} subjects${runMicro ? ' + guard.check() micro-benchmark' : ''}; ${ROUNDS} rounds of ${DURATION} s, ${CONNECTIONS} connections; ${env.cpu}, ${env.cores} cores, Node ${env.node}`);
let micro;
try {
  loader = spawnChild(here('./load.mjs'));
  if (runMicro) {
    log('check: guard.check() in process');
    const child = spawnChild(here('./micro.mjs'));
    micro = await child.call('run', { seconds: MICRO_SECONDS, rounds: ROUNDS });
    await child.stop();
    for (const [name, { median: us }] of Object.entries(micro)) log(`  ${name.padEnd(12)} ${us.toFixed(2)} µs per call`);
  }
  for (const group of GROUPS) {
    const members = selected.filter((s) => s.group === group);
    if (members.length === 0) continue;
    log(`${group}:`);
    for (const s of members) s.runs = [];
    if (PROFILE) mkdirSync(here('./profiles'), { recursive: true });
    await measureGroup(group, members, redis);
  }
} finally {
  await loader?.stop();
  await redis?.stop();
}

const medians = {};
const rates = {};
const cpu = {};
const subjects = selected.map((s) => {
  rates[s.id] = s.runs.map((r) => r.rate);
  cpu[s.id] = s.runs.map((r) => r.cpuPerRequest);
  medians[s.id] = median(rates[s.id]);
  return {
    id: s.id, label: s.label, rates: rates[s.id], median: medians[s.id],
    p50: median(s.runs.map((r) => r.latency.p50)), p99: median(s.runs.map((r) => r.latency.p99)),
    serverCpu: median(s.runs.map((r) => r.serverCpu)), loaderCpu: median(s.runs.map((r) => r.loaderCpu)),
    cpuPerRequest: median(cpu[s.id]),
  };
});
for (const s of subjects) {
  const bare = selected.find((other) => other.group === s.id.split('/')[0] && other.bare);
  if (bare && bare.id !== s.id) s.vsBare = s.median / medians[bare.id];
}
const evaluated = evaluate(ROWS, rates, cpu, micro);
const warnings = [];
for (const s of subjects.filter((x) => x.loaderCpu >= 0.9)) {
  warnings.push(`The load generator used ${Math.round(s.loaderCpu * 100)}% of a core on ${s.label}: that rate may be the load generator's limit rather than the server's, so ratios against it overstate the other subject.`);
}
const loadAfter = loadavg();
if (Math.max(env.load[0], loadAfter[0]) > env.cores) {
  warnings.push(`Other processes were running: load average ${env.load[0].toFixed(1)} at the start, ${loadAfter[0].toFixed(1)} at the end, on ${env.cores} cores. Absolute rates are low and CPU times per request inflated; both are noisy: read the ratios with their spread over the rounds, and the CPU-based ratio beside them.`);
}
log(`\nRatios (issue 15), ${((performance.now() - started) / 1000).toFixed(0)} s:\n${consoleTable(evaluated)}`);
for (const warning of warnings) log(`warning: ${warning}`);

const out = process.env.BENCH_OUT || (args.length === 0 ? here('./RESULTS.md') : undefined);
if (out) {
  const note = process.env.BENCH_NOTE ?? '';
  writeFileSync(out, markdown({ env, settings, evaluated, subjects, micro, note, warnings, loadAfter }));
  log(`written: ${out}`);
}
if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, `${JSON.stringify({ env, settings, evaluated, subjects, micro, warnings }, null, 2)}\n`);
