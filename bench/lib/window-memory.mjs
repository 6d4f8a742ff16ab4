// Memory of one rate-limit window in each store, under an injected clock:
//  - after 300 requests spread over one minute (one per 200 ms, so the window holds all 60 of its 1 s
//    buckets), at a limit of 10,000/minute and at 100,000,000/minute: the state must not depend on the limit;
//  - one full window of 10,000/minute (10,000 admitted over the minute, the next one refused).
// Redis: filled through `guard.check()` on a real redis-server (started here on a free loopback port) and
// measured with `MEMORY USAGE`. Memory store: filled through `store.consume()` (the guard's own per-token
// state — a verified token's cache entry — would drown a window's bytes) for many keys, measured as the
// growth of the JS heap after a full GC (run with --expose-gc), divided by the number of keys.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { dist } from './dist.mjs';
import { startRedis } from './redis.mjs';

const FULL = 10_000;
export const SPREAD = 300;
export const LIMITS = [10_000, 100_000_000];
// memory store: windows filled, so that one window's heap stands out from the noise
const KEYS = { [SPREAD]: 4000, [FULL]: 1500 };

/** A guard on `store` whose clock the bench moves; `fill(token, n)` sends n requests over one minute. */
async function bench(createGuard, options, store) {
  let clock = Date.now();
  const guard = createGuard({ ...options, store, now: () => clock });
  await guard.revocations.whenSynced();
  const route = guard.route({ action: 'search.web' });
  /** `n` admitted requests spread evenly over one minute, then one more at its end: the refusal, as `status reason`. */
  const fill = async (token, n, limit) => {
    const info = {
      method: 'GET',
      url: 'https://api.example.com/v1/search',
      headers: { authorization: [`Bearer ${token}`] },
      clientIp: '127.0.0.1',
    };
    const start = clock;
    for (let sent = 0; sent < n; sent += 1) {
      clock = start + Math.floor((sent * 60_000) / n);
      const decision = await guard.check(info, route);
      if (!decision.allowed) throw new Error(`bench: request ${sent} of ${n} was refused (${decision.reason})`);
    }
    clock = start + 59_999;
    const next = await guard.check(info, route);
    clock = start + 120_000; // the next window starts on a fresh minute
    if (n >= limit && next.allowed) throw new Error(`bench: request ${n + 1} within the minute was admitted`);
    return n >= limit ? `${next.status} ${next.reason}` : 'not refused (under the limit)';
  };
  return { guard, fill };
}

const heapUsed = () => {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
};

/** Guard options on a test issuer's keys, and a minter of tokens with one rate-limited capability. */
async function issuer() {
  const { createIssuer } = await import(dist('testing').href);
  const as = await createIssuer();
  const options = { issuer: as.issuer, audience: as.audience, jwks: as.jwks, logger: false };
  const capability = (limit) => ({ action: 'search.web', constraints: { max_requests_per_minute: limit } });
  const mint = (limit) => as.mint({ ttl: 24 * 3600, capabilities: [capability(limit)] });
  return { options, mint };
}

// Key prefixes of the windows measured: as long as the default `aap:`, so that MEMORY USAGE (which counts
// the key) is what a deployment's window takes; distinct, so that windows measured on one server never mix.
let measured = 10;

/**
 * One window in Redis (a connected ioredis client) after `n` requests over a minute at `limit`, filled
 * through `guard.check()` under keys starting with `prefix`: `{ key, refused, bytes, fields, encoding }`.
 */
export async function redisWindow(redis, n, limit, prefix = `w${(measured += 1)}:`) {
  const { createGuard } = await import(dist('core').href);
  const { redisStore } = await import(dist('redis').href);
  const { options, mint } = await issuer();
  const { guard, fill } = await bench(createGuard, options, redisStore(redis, { prefix }));
  try {
    const refused = await fill(await mint(limit), n, limit);
    const keys = (await redis.keys(`${prefix}*`)).filter((key) => key.includes(':rl:'));
    if (keys.length !== 1) throw new Error(`bench: expected one window key, found ${keys.join(', ')}`);
    const [key] = keys;
    const bytes = await redis.memory('USAGE', key, 'SAMPLES', 0);
    return { key, refused, bytes, fields: await redis.hlen(key), encoding: await redis.object('ENCODING', key) };
  } finally {
    await guard.close();
  }
}

/**
 * `{ requests, spread: [{ limit, redis: { key, bytes, fields, encoding, refused }, memory: { bytes, keys, refused } }],
 * full, version }`
 */
export async function windowMemory() {
  const { memoryStore } = await import(dist('core').href);

  // Memory store: the heap before and after filling many windows (their keys made before the baseline),
  // once a first window has been filled the same way, so that compiled code is in place.
  const inMemory = async (n, limit) => {
    const store = memoryStore({ maxKeys: KEYS[n] + 1 });
    const at = (i) => Date.UTC(2025, 0, 1) + Math.floor((i * 60_000) / n);
    const windows = (i) => [
      {
        key: `{pT3c0qH1m9Xz4kQe:jti:${randomUUID()}}:rl:search.web:minute:s#${i}`,
        limit,
        windowMs: 60_000,
        mode: 'sliding',
      },
    ];
    const fill = async (spec) => {
      for (let i = 0; i < n; i += 1)
        if (!(await store.consume({ now: at(i), windows: spec })).ok)
          throw new Error(`bench: request ${i} of ${n} refused`);
      return (await store.consume({ now: at(n - 1), windows: spec })).ok ? 'not refused (under the limit)' : 'refused';
    };
    await fill(windows(-1));
    const specs = Array.from({ length: KEYS[n] }, (_, i) => windows(i));
    const before = heapUsed();
    let refused;
    for (const spec of specs) refused = await fill(spec);
    const bytes = Math.round((heapUsed() - before) / KEYS[n]);
    await store.close();
    return { bytes, refused, keys: KEYS[n] };
  };

  const server = await startRedis();
  const redis = new Redis({ host: server.host, port: server.port, lazyConnect: true });
  try {
    await redis.connect();
    const spread = [];
    for (const limit of LIMITS) {
      spread.push({ limit, redis: await redisWindow(redis, SPREAD, limit), memory: await inMemory(SPREAD, limit) });
    }
    const full = { limit: FULL, redis: await redisWindow(redis, FULL, FULL), memory: await inMemory(FULL, FULL) };
    return { requests: SPREAD, spread, full, version: server.version };
  } finally {
    redis.disconnect();
    await server.stop();
  }
}
