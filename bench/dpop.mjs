#!/usr/bin/env node
// Benchmark (not a test): what one DPoP proof costs on our path, next to a raw node:crypto ES256
// verification (the floor) and jose's jwtVerify with the embedded JWK (the usual peer approach, which
// imports the key on every proof). All in one run, on the same proofs. Uses the built packages.
// `node bench/dpop.mjs`. Env: BENCH_PROOFS (default 4000 per round), BENCH_ROUNDS (5; the best round counts).
import { createPublicKey, verify } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EmbeddedJWK, jwtVerify } from 'jose';

const dist = (pkg, file = 'index.js') => new URL(`../packages/${pkg}/dist/${file}`, import.meta.url);
if (![dist('core'), dist('testing'), dist('core', 'pop/dpop.js')].every((url) => existsSync(fileURLToPath(url)))) {
  console.error('bench: build first (`npm run setup` or `pnpm build`).');
  process.exit(1);
}
const { createGuard } = await import(dist('core').href);
const { createIssuer, createDpopKey, dpopProof } = await import(dist('testing').href);
const { verifyDpop } = await import(dist('core', 'pop/dpop.js').href);
const { tokenHash } = await import(dist('core', 'util/hash.js').href);

const PROOFS = Number(process.env.BENCH_PROOFS ?? 4000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const T = Date.now(); // the guard's clock is frozen here, so proofs made below stay fresh for the whole run
const URL_ = 'https://api.example.com/v1/search';

const as = await createIssuer({ now: () => T });
const key = await createDpopKey('ES256');
const bound = await as.mint({ jkt: key.jkt, ttl: 3600 });
const unbound = await as.mint({ ttl: 3600 });
const guard = createGuard({ issuer: as.issuer, audience: as.audience, jwks: as.jwks, now: () => T, publicUrl: 'https://api.example.com' });
const route = guard.route({ action: 'search.web' });
const makeProofs = (n) => Promise.all(Array.from({ length: n }, () => dpopProof({ key, method: 'GET', url: URL_, accessToken: bound, iat: Math.floor(T / 1000) })));

console.log(`DPoP proof cost: ES256, ${PROOFS} proofs per round, best of ${ROUNDS} rounds, Node ${process.version}`);
const proofs = await makeProofs(PROOFS);
const checkProofs = await makeProofs(PROOFS * ROUNDS); // guard.check() consumes each jti: one proof per request
const rawKey = createPublicKey({ key: key.publicJwk, format: 'jwk' });
const split = proofs.map((p) => {
  const dot = p.lastIndexOf('.');
  return [Buffer.from(p.slice(0, dot)), Buffer.from(p.slice(dot + 1), 'base64url')];
});
const boundHash = tokenHash(bound);
const ctxFor = (proof) => ({
  request: { method: 'GET', url: `${URL_}?q=x`, headers: {} },
  method: 'GET',
  route: undefined,
  options: guard.options,
  now: T,
  headers: {},
  detail: {},
  credentials: { token: bound, scheme: 'DPoP', proofs: [proof] },
  tokenHash: boundHash,
});
const request = (authorization, dpop) => ({ method: 'GET', url: `${URL_}?q=x`, headers: dpop ? { authorization, dpop } : { authorization }, clientIp: '127.0.0.1' });

/** µs per operation of one round of `run(round)` (each round does PROOFS operations). */
async function time(run, round) {
  const start = process.hrtime.bigint();
  await run(round);
  return Number(process.hrtime.bigint() - start) / 1000 / PROOFS;
}
const expectOk = (ok, what) => {
  if (!ok) throw new Error(`bench: ${what} refused a valid proof`);
};

// warm-up: JIT, the guard's token cache and proof-key cache
for (const p of proofs.slice(0, 200)) expectOk(verifyDpop(ctxFor(p), key.jkt) === undefined, 'verifyDpop');
await guard.check(request(`Bearer ${unbound}`), route);

const subjects = {
  'node:crypto verify (raw ES256)': () => {
    for (const [input, signature] of split) expectOk(verify('sha256', input, { key: rawKey, dsaEncoding: 'ieee-p1363' }, signature), 'verify');
  },
  'aap-guard verifyDpop (full checks)': () => {
    for (const p of proofs) expectOk(verifyDpop(ctxFor(p), key.jkt) === undefined, 'verifyDpop');
  },
  'jose jwtVerify + EmbeddedJWK': async () => {
    for (const p of proofs) await jwtVerify(p, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256'] });
  },
  'guard.check() Bearer, unbound': async () => {
    for (let i = 0; i < PROOFS; i++) expectOk((await guard.check(request(`Bearer ${unbound}`), route)).allowed, 'check (Bearer)');
  },
  'guard.check() DPoP + proof': async (round) => {
    for (let i = 0; i < PROOFS; i++) {
      expectOk((await guard.check(request(`DPoP ${bound}`, checkProofs[round * PROOFS + i]), route)).allowed, 'check (DPoP)');
    }
  },
};
// Rounds interleave the subjects, so a burst of load on a shared machine hits them alike; the best round counts.
const results = Object.fromEntries(Object.keys(subjects).map((name) => [name, Infinity]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, run] of Object.entries(subjects)) results[name] = Math.min(results[name], await time(run, round));
}

const raw = results['node:crypto verify (raw ES256)'];
for (const [name, us] of Object.entries(results)) {
  console.log(`  ${name.padEnd(36)} ${us.toFixed(1).padStart(7)} µs/proof   ${(us / raw).toFixed(2).padStart(5)}x raw verify`);
}
const path = results['guard.check() DPoP + proof'] - results['guard.check() Bearer, unbound'];
const jose = results['jose jwtVerify + EmbeddedJWK'];
console.log(`\nDPoP adds ${path.toFixed(1)} µs to a guard.check() (proof verification + jti replay record): ` +
  `${(path / raw).toFixed(2)}x a raw ES256 verify; jose jwtVerify with the embedded JWK is ${(jose / results['aap-guard verifyDpop (full checks)']).toFixed(1)}x our verifyDpop.`);
await guard.close();
