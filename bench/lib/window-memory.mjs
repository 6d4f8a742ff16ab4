// Memory of one full sliding window of LIMIT per minute in each store: filled through `guard.check()`
// (LIMIT admitted requests within the minute; the next one must be refused), then measured — on a real
// redis-server (started here on a free loopback port) with `MEMORY USAGE`, in the memory store as the
// growth of the JS heap after a full GC (run with --expose-gc).
import { Redis } from 'ioredis';
import { dist } from './dist.mjs';
import { startRedis } from './redis.mjs';

const LIMIT = 10_000;
const WINDOWS = 10; // memory store: windows filled, so that one window's heap stands out from the noise

/** Fill one window through `guard` (LIMIT admitted, then one refused): the refusal, as `status reason`. */
async function fill(guard, token) {
  const route = guard.route({ action: 'search.web' });
  const info = { method: 'GET', url: 'https://api.example.com/v1/search', headers: { authorization: [`Bearer ${token}`] }, clientIp: '127.0.0.1' };
  for (let sent = 0; sent < LIMIT; sent += 100) {
    const decisions = await Promise.all(Array.from({ length: 100 }, () => guard.check(info, route)));
    const refused = decisions.find((d) => !d.allowed);
    if (refused) throw new Error(`bench: request ${sent} of ${LIMIT} was refused (${refused.reason})`);
  }
  const next = await guard.check(info, route);
  if (next.allowed) throw new Error(`bench: request ${LIMIT + 1} within the minute was admitted`);
  return `${next.status} ${next.reason}`;
}

const heapUsed = () => {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
};

/** `{ limit, windows, redis: { key, bytes, members, encoding, sample, usedMemoryDelta, version, refused }, memory: { bytes, refused } }` */
export async function windowMemory() {
  const { createGuard, memoryStore } = await import(dist('core').href);
  const { redisStore } = await import(dist('redis').href);
  const { createIssuer } = await import(dist('testing').href);
  const as = await createIssuer();
  const token = await as.mint({ ttl: 3600, capabilities: [{ action: 'search.web', constraints: { max_requests_per_minute: LIMIT } }] });
  const options = { issuer: as.issuer, audience: as.audience, jwks: as.jwks };

  // Memory store: the heap before and after filling WINDOWS windows (one per token), once a first window
  // has been filled the same way, so that compiled code and caches are in place before the baseline.
  const local = createGuard({ ...options, store: memoryStore() });
  const mint = () => as.mint({ ttl: 3600, capabilities: [{ action: 'search.web', constraints: { max_requests_per_minute: LIMIT } }] });
  const tokens = await Promise.all(Array.from({ length: WINDOWS + 1 }, mint));
  await fill(local, tokens[0]);
  const before = heapUsed();
  const memory = {};
  for (const each of tokens.slice(1)) memory.refused = await fill(local, each);
  memory.bytes = Math.round((heapUsed() - before) / WINDOWS);
  await local.close();

  const server = await startRedis();
  const redis = new Redis({ host: server.host, port: server.port, lazyConnect: true });
  try {
    await redis.connect();
    const guard = createGuard({ ...options, store: redisStore(redis) });
    await guard.revocations.whenSynced();
    const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))[1]);
    const start = await usedMemory();
    const refused = await fill(guard, token);
    const keys = (await redis.keys('*')).filter((key) => key.includes(':rl:'));
    if (keys.length !== 1) throw new Error(`bench: expected one window key, found ${keys.join(', ')}`);
    const [key] = keys;
    const result = {
      key,
      refused,
      members: await redis.zcard(key),
      bytes: await redis.memory('USAGE', key, 'SAMPLES', 0),
      encoding: await redis.object('ENCODING', key),
      sample: (await redis.zrange(key, 0, 0))[0],
      usedMemoryDelta: (await usedMemory()) - start,
      version: server.version,
    };
    await guard.close();
    return { limit: LIMIT, windows: WINDOWS, redis: result, memory };
  } finally {
    redis.disconnect();
    await server.stop();
  }
}
