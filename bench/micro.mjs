#!/usr/bin/env node
// In-process micro-benchmark of `guard.check()` (µs per call), in its own process: a cached Bearer token
// with domains + rate limit (issue 15's row), the same without constraints, and DPoP (a fresh proof per
// call, signed before the timed part). Run by bench/run.mjs (group `check`), or alone:
// `node bench/micro.mjs` (env BENCH_MICRO_SECONDS per round, BENCH_ROUNDS).
import { answer } from './lib/children.mjs';
import { dist, requireFreshBuild } from './lib/dist.mjs';
import { CAPABILITY } from './subjects.mjs';

const { createGuard } = await import(dist('core').href);
const { createIssuer, createDpopKey, dpopProof } = await import(dist('testing').href);

const URL_ = `http://127.0.0.1/v1/search?url=${encodeURIComponent('https://en.wikipedia.org/wiki/OAuth')}`;
const TARGET = 'https://en.wikipedia.org/wiki/OAuth';
const DPOP_CALLS = 3000; // per round: a DPoP call needs a fresh proof, signed beforehand

/** µs per call of `call(i)` over about `seconds` (or exactly `count` calls). */
async function time(call, { seconds, count }) {
  const started = performance.now();
  let done = 0;
  const deadline = started + seconds * 1000;
  while (count !== undefined ? done < count : performance.now() < deadline) {
    for (let i = 0; i < 500 && (count === undefined || done < count); i += 1, done += 1) await call(done);
  }
  return ((performance.now() - started) * 1000) / done;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Run every variant for `rounds` interleaved rounds; medians in µs per call. */
export async function micro({ seconds = 1, rounds = 3 } = {}) {
  const as = await createIssuer();
  const key = await createDpopKey('ES256');
  const constrained = await as.mint({ ttl: 3600, capabilities: [CAPABILITY] });
  const plain = await as.mint({ ttl: 3600, capabilities: [{ action: 'search.web' }] });
  const bound = await as.mint({ ttl: 3600, jkt: key.jkt, capabilities: [CAPABILITY] });
  const guard = createGuard({ issuer: as.issuer, audience: as.audience, jwks: as.jwks });
  const route = guard.route({ action: 'search.web' });
  const info = (authorization, dpop) => ({
    method: 'GET',
    url: URL_,
    target: TARGET,
    clientIp: '127.0.0.1',
    headers: dpop ? { authorization: [authorization], dpop: [dpop] } : { authorization: [authorization] },
  });
  const expectAllowed = (decision) => {
    if (!decision.allowed)
      throw new Error(`bench: guard.check() refused the micro-benchmark's request (${decision.reason})`);
  };
  const bearer = (token) => {
    const request = info(`Bearer ${token}`);
    return async () => expectAllowed(await guard.check(request, route));
  };
  let proofs = [];
  const variants = {
    constrained: { call: bearer(constrained) },
    plain: { call: bearer(plain) },
    dpop: {
      count: DPOP_CALLS,
      before: async () => {
        proofs = await Promise.all(
          Array.from({ length: DPOP_CALLS }, () => dpopProof({ key, method: 'GET', url: URL_, accessToken: bound })),
        );
      },
      call: async (i) => expectAllowed(await guard.check(info(`DPoP ${bound}`, proofs[i]), route)),
    },
  };
  const results = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  for (let round = -1; round < rounds; round += 1) {
    // round -1: warm-up (JIT, token and key caches)
    for (const [name, variant] of Object.entries(variants)) {
      await variant.before?.();
      const us = await time(variant.call, { seconds, count: variant.count });
      if (round >= 0) results[name].push(us);
    }
  }
  await guard.close();
  return Object.fromEntries(
    Object.entries(results).map(([name, values]) => [name, { median: median(values), rounds: values }]),
  );
}

if (process.send) {
  answer({ run: micro });
} else {
  requireFreshBuild();
  const result = await micro({
    seconds: Number(process.env.BENCH_MICRO_SECONDS ?? 1),
    rounds: Number(process.env.BENCH_ROUNDS ?? 3),
  });
  for (const [name, { median: us }] of Object.entries(result))
    console.log(`guard.check() ${name.padEnd(12)} ${us.toFixed(2).padStart(7)} µs per call`);
}
