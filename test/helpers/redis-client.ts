/**
 * One redis-server and one ioredis client for a test file: started before its tests, stopped after them —
 * the setup the Redis-backed tests share (test/helpers/redis.ts starts the servers).
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { startRedis, type RedisServer } from './redis.js';

/** The file's server and client (valid inside its tests), and a fresh key prefix per call. */
export interface RedisUnderTest {
  readonly server: RedisServer;
  readonly redis: Redis;
  /** `name` and a counter: a namespace of its own for each store a test makes. */
  prefix(name: string): string;
}

/**
 * Start a redis-server on a free loopback port and connect a client (`enableOfflineQueue: false`,
 * `maxRetriesPerRequest: 1`, as the docs recommend) for the tests of the calling file.
 *
 * @example
 * const redis = useRedis();
 * it('…', () => redisStore(redis.redis, { prefix: redis.prefix('quota') }));
 */
export function useRedis(): RedisUnderTest {
  let server: RedisServer | undefined;
  let redis: Redis | undefined;
  let count = 0;
  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis({ host: server.host, port: server.port, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    await new Promise((resolve) => redis!.once('ready', resolve));
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
  });
  return {
    get server() {
      return server!;
    },
    get redis() {
      return redis!;
    },
    prefix: (name) => `${name}${(count += 1)}:`,
  };
}
