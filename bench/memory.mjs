#!/usr/bin/env node
// `npm run bench:memory [-- tokens|window]`: what the guard's memory is bounded by, written to bench/MEMORY.md.
//  tokens: feeds BENCH_TOKENS (default 1,000,000) distinct, real ES256 tokens through guard.check() — each
//    verified, cached (tokenCacheSize), given a rate-limit window in the memory store (maxKeys) and a
//    lineage entry (delegated: parent_jti) — and reports RSS and heap after a full GC at checkpoints.
//    Tokens are signed here with node:crypto (a local key set; jose's async signer is ~3× slower), a batch
//    at a time, while earlier ones are being checked.
//  window: one sliding minute per token through each store — after 300 requests over the minute at two
//    limits, and full at 10,000 — and its memory: MEMORY USAGE on a real redis-server, JS heap growth in the
//    memory store (lib/window-memory.mjs).
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dist, requireFreshBuild } from './lib/dist.mjs';
import { windowMemory } from './lib/window-memory.mjs';

requireFreshBuild();
if (typeof globalThis.gc !== 'function') {
  console.error('bench: run with `node --expose-gc bench/memory.mjs` (npm run bench:memory does).');
  process.exit(1);
}
const { createGuard, memoryStore } = await import(dist('core').href);

const knob = (name, fallback) => {
  const value = process.env[name] ? Number(process.env[name]) : fallback;
  if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`bench: ${name} must be a non-negative integer`);
  return value;
};
const TOKENS = knob('BENCH_TOKENS', 1_000_000);
const SIZES = {
  tokenCacheSize: knob('BENCH_TOKEN_CACHE', 10_000),
  maxKeys: knob('BENCH_MAX_KEYS', 100_000),
  lineageSize: knob('BENCH_LINEAGE', 10_000),
};
const BATCH = 1000; // tokens signed at a time
const IN_FLIGHT = 16; // concurrent checks: jose verifies through WebCrypto, off the main thread
const MB = 2 ** 20;
const ISSUER = 'https://as.example.com';
const AUDIENCE = 'https://api.example.com';
const URL_ = 'https://api.example.com/v1/search';

/** A local ES256 key set and a synchronous signer of real JWS access tokens (RFC 9068 at+jwt). */
function signer() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = 'bench-memory';
  const head = Buffer.from(JSON.stringify({ alg: 'ES256', kid, typ: 'at+jwt' })).toString('base64url');
  const iat = Math.floor(Date.now() / 1000);
  const mint = () => {
    const payload = {
      iss: ISSUER,
      sub: 'agent-researcher-01',
      aud: AUDIENCE,
      iat,
      exp: iat + 3600,
      jti: randomUUID(),
      agent: { id: 'agent-researcher-01', type: 'llm-autonomous', operator: 'org:example' },
      task: { id: 'task-001', purpose: 'research' },
      capabilities: [{ action: 'search.web', constraints: { max_requests_per_minute: 100 } }],
      delegation: {
        depth: 1,
        max_depth: 2,
        chain: ['agent-origin-01', 'agent-researcher-01'],
        parent_jti: randomUUID(),
      },
    };
    const input = `${head}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
    return `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
  };
  return { jwks: { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' }] }, mint };
}

function snapshot(seen, started) {
  globalThis.gc();
  globalThis.gc();
  const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
  return {
    seen,
    rss: rss / MB,
    heap: heapUsed / MB,
    heapTotal: heapTotal / MB,
    external: external / MB,
    seconds: (performance.now() - started) / 1000,
  };
}

async function tokens() {
  const { jwks, mint } = signer();
  const guard = createGuard({
    issuer: ISSUER,
    audience: AUDIENCE,
    jwks,
    tokenCacheSize: SIZES.tokenCacheSize,
    store: memoryStore({ maxKeys: SIZES.maxKeys }),
    revocation: { lineageSize: SIZES.lineageSize },
  });
  const route = guard.route({ action: 'search.web' });
  const check = async (token) => {
    const decision = await guard.check(
      { method: 'GET', url: URL_, headers: { authorization: [`Bearer ${token}`] }, clientIp: '127.0.0.1' },
      route,
    );
    if (!decision.allowed) throw new Error(`bench: a fresh token was refused (${decision.reason})`);
  };
  const started = performance.now();
  await check(mint()); // compiles the schemas, imports the key
  const points = [snapshot(0, started)];
  console.log(`${TOKENS.toLocaleString('en-US')} distinct tokens through guard.check(); ${JSON.stringify(SIZES)}`);
  const every = Math.max(BATCH, Math.floor(TOKENS / 10 / BATCH) * BATCH);
  for (let seen = 0; seen < TOKENS;) {
    const batch = Array.from({ length: Math.min(BATCH, TOKENS - seen) }, mint);
    for (let i = 0; i < batch.length; i += IN_FLIGHT) await Promise.all(batch.slice(i, i + IN_FLIGHT).map(check));
    seen += batch.length;
    if (seen % every === 0 || seen === TOKENS) {
      const point = snapshot(seen, started);
      points.push(point);
      console.log(
        `  ${seen.toLocaleString('en-US').padStart(10)} tokens: RSS ${point.rss.toFixed(0)} MB, heap ${point.heap.toFixed(0)} of ${point.heapTotal.toFixed(0)} MB (${point.seconds.toFixed(0)} s)`,
      );
    }
  }
  await guard.close();
  return points;
}

const args = process.argv.slice(2);
const want = (part) => args.length === 0 || args.includes(part);
const sections = [];
if (want('tokens')) {
  const points = await tokens();
  const half = points.find((p) => p.seen >= TOKENS / 2) ?? points.at(-1);
  const last = points.at(-1);
  const base = points[0];
  sections.push(
    `## ${TOKENS.toLocaleString('en-US')} distinct tokens through \`guard.check()\``,
    '',
    `Sizes: \`tokenCacheSize: ${SIZES.tokenCacheSize}\`, \`memoryStore({ maxKeys: ${SIZES.maxKeys} })\`, \`revocation: { lineageSize: ${SIZES.lineageSize} }\` (the defaults unless BENCH_TOKEN_CACHE, BENCH_MAX_KEYS, BENCH_LINEAGE say otherwise).`,
    'Each token is a distinct ES256 JWS (~700 bytes) that the guard verifies: a delegated token (`parent_jti`, so a lineage entry) whose capability has `max_requests_per_minute: 100` (so one sliding-window counter in the store, keyed by its issuer and `jti`). Memory after two full GCs:',
    '',
    '| tokens seen | RSS (MB) | JS heap used (MB) | JS heap reserved (MB) | external (MB) | elapsed (s) |',
    '|---|---|---|---|---|---|',
    ...points.map(
      (p) =>
        `| ${p.seen.toLocaleString('en-US')} | ${p.rss.toFixed(0)} | ${p.heap.toFixed(1)} | ${p.heapTotal.toFixed(0)} | ${p.external.toFixed(1)} | ${p.seconds.toFixed(0)} |`,
    ),
    '',
    `From the first token to the last: heap +${(last.heap - base.heap).toFixed(0)} MB, RSS +${(last.rss - base.rss).toFixed(0)} MB; from ${half.seen.toLocaleString('en-US')} tokens to ${last.seen.toLocaleString('en-US')}: heap ${(last.heap - half.heap).toFixed(1)} MB, RSS ${(last.rss - half.rss).toFixed(1)} MB.`,
    '',
  );
}
if (want('window')) {
  const { requests, spread, full, version } = await windowMemory();
  const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
  for (const { limit, redis, memory } of spread)
    console.log(
      `${requests} requests over a minute at ${limit}/minute: Redis MEMORY USAGE ${redis.bytes} bytes (${redis.fields} fields, ${redis.encoding}); memory store: JS heap +${memory.bytes} bytes per window`,
    );
  console.log(
    `One full window of ${full.limit}/minute: Redis ${full.redis.bytes} bytes; memory store +${full.memory.bytes} bytes per window`,
  );
  sections.push(
    '## One sliding minute per token',
    '',
    `Each window's requests spread evenly over the minute under an injected clock (so all 60 of its 1 s buckets are in use). Redis: filled through \`guard.check()\`, then \`MEMORY USAGE <key> SAMPLES 0\` of the window's one key (redis-server ${version}). Memory store: filled through \`store.consume()\` for many keys, then the growth of the JS heap after a full GC divided by their number (the key strings, made before, not counted).`,
    '',
    '| window | Redis store | memory store |',
    '|---|---|---|',
    ...spread.map(
      ({ limit, redis, memory }) =>
        `| ${requests} requests, limit ${limit.toLocaleString('en-US')}/minute | **${redis.bytes.toLocaleString('en-US')} bytes** (${kib(redis.bytes)}; ${redis.fields} hash fields, ${redis.encoding}) | ${memory.bytes.toLocaleString('en-US')} bytes (over ${memory.keys.toLocaleString('en-US')} keys) |`,
    ),
    `| ${full.limit.toLocaleString('en-US')} requests, limit ${full.limit.toLocaleString('en-US')}/minute, the next one refused (${full.redis.refused}) | **${full.redis.bytes.toLocaleString('en-US')} bytes** (${kib(full.redis.bytes)}; ${full.redis.fields} hash fields, ${full.redis.encoding}) | ${full.memory.bytes.toLocaleString('en-US')} bytes (over ${full.memory.keys.toLocaleString('en-US')} keys) |`,
    '',
    'The state is at most 61 bucket counts per window whatever the limit: the same bytes at 10,000 and at 100,000,000 per minute.',
    '',
  );
}
if (sections.length > 0 && (args.length === 0 || process.env.BENCH_OUT)) {
  const out = process.env.BENCH_OUT || fileURLToPath(new URL('./MEMORY.md', import.meta.url));
  const machine = `${cpus()[0]?.model}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM; Node ${process.version}`;
  writeFileSync(
    out,
    [
      '# Memory bounds',
      '',
      `Written by \`npm run bench:memory\` on ${new Date().toISOString()} (${machine}).`,
      '',
      ...sections,
    ].join('\n'),
  );
  console.log(`written: ${out}`);
}
