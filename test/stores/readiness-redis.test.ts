/**
 * Readiness with a real Redis store that is down at startup: `guard.ready()` used not to exist, and
 * README's "await whenSynced() before listen" hung. `ready({ timeoutMs })` now rejects within its timeout
 * naming the revocation list, and resolves once Redis is back and the list is read; meanwhile `guard.health()`
 * says why as a stable code (`store_unavailable`).
 */
import { createGuard, NotReadyError } from '@aap-guard/core';
import { redisStore } from '@aap-guard/redis';
import { createIssuer } from '@aap-guard/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../helpers/redis.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server.stop();
});

describe('guard.ready() with the Redis store', () => {
  it('ready() rejects within its timeout naming the revocation list while Redis is down, and resolves once it is back', async () => {
    await server.kill();
    const redis = new Redis({
      host: server.host,
      port: server.port,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: () => 50,
    });
    redis.on('error', () => undefined); // reported through the store's onError; the client's own events are ours to handle
    const as = await createIssuer();
    const guard = createGuard({
      issuer: as.issuer,
      audience: as.audience,
      jwks: as.jwks,
      logger: false,
      store: redisStore(redis, { onError: () => undefined }),
    });
    try {
      const started = performance.now();
      const error = await guard.ready({ timeoutMs: 400 }).then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(performance.now() - started).toBeLessThan(900);
      expect(error).toBeInstanceOf(NotReadyError);
      expect((error as Error).message).toMatch(/revocation list not synchronized \(store unreachable\?\)/);
      const down = { ready: false, reason: 'store_unavailable', revocation: { synced: false } };
      expect(guard.health()).toMatchObject(down);
      await server.restart();
      await guard.ready({ timeoutMs: 5_000 });
      expect(guard.health()).toMatchObject({ ready: true, reason: undefined, revocation: { synced: true } });
    } finally {
      await guard.close();
      redis.disconnect();
    }
  });
});
