// Redis memory of one full sliding window: LIMIT requests admitted within a minute through the Redis
// store on a real redis-server (started here on a free loopback port), then `MEMORY USAGE` of its key.
import { Redis } from 'ioredis';
import { dist } from './dist.mjs';
import { startRedis } from './redis.mjs';

const LIMIT = 10_000;

export async function redisKeyMemory() {
  const { createGuard } = await import(dist('core').href);
  const { redisStore } = await import(dist('redis').href);
  const { createIssuer } = await import(dist('testing').href);
  const server = await startRedis();
  const redis = new Redis({ host: server.host, port: server.port, lazyConnect: true });
  try {
    await redis.connect();
    const as = await createIssuer();
    const token = await as.mint({ ttl: 3600, capabilities: [{ action: 'search.web', constraints: { max_requests_per_minute: LIMIT } }] });
    const guard = createGuard({ issuer: as.issuer, audience: as.audience, jwks: as.jwks, store: redisStore(redis) });
    await guard.revocations.whenSynced();
    const route = guard.route({ action: 'search.web' });
    const info = { method: 'GET', url: 'https://api.example.com/v1/search', headers: { authorization: [`Bearer ${token}`] }, clientIp: '127.0.0.1' };
    const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))[1]);
    const before = await usedMemory();
    for (let sent = 0; sent < LIMIT; sent += 100) {
      const decisions = await Promise.all(Array.from({ length: 100 }, () => guard.check(info, route)));
      const refused = decisions.find((d) => !d.allowed);
      if (refused) throw new Error(`bench: request ${sent} of ${LIMIT} was refused (${refused.reason})`);
    }
    const next = await guard.check(info, route);
    const keys = (await redis.keys('*')).filter((key) => key.includes(':rl:'));
    if (keys.length !== 1) throw new Error(`bench: expected one window key, found ${keys.join(', ')}`);
    const [key] = keys;
    const result = {
      limit: LIMIT,
      key,
      refused: `${next.status} ${next.reason}`,
      members: await redis.zcard(key),
      bytes: await redis.memory('USAGE', key, 'SAMPLES', 0),
      encoding: await redis.object('ENCODING', key),
      sample: (await redis.zrange(key, 0, 0))[0],
      usedMemoryDelta: (await usedMemory()) - before,
      version: server.version,
    };
    await guard.close();
    return result;
  } finally {
    redis.disconnect();
    await server.stop();
  }
}
