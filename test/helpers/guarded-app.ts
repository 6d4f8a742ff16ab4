/**
 * Set-up shared by the holds and revocation tests: guarded Express apps on the memory store
 * (holds-express, revocation-express), and guards on replicas sharing a real redis-server
 * (holds-redis, revocation-redis). Each helper registers its own vitest hooks.
 */
import { createGuard, type AuditEvent, type Guard, type GuardOptions } from '@aap-guard/core';
import { type RevocationStore } from '@aap-guard/core/store';
import { aapGuard, type AapMiddleware } from '@aap-guard/express';
import { redisHolds, redisRevocations, redisStore, type RedisRevocationsOptions } from '@aap-guard/redis';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import express from 'express';
import { Redis, type RedisOptions } from 'ioredis';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startRedis, type RedisServer } from './redis.js';

/** A guard behind `app.use(aap)` on a new Express app; routes are the test's to add. */
export interface GuardedApp {
  readonly guard: Guard;
  readonly aap: AapMiddleware;
  readonly server: express.Express;
  /** Every audit event of the guard, in order. */
  readonly events: AuditEvent[];
  /** Move the guard's clock forward. */
  advance(ms: number): void;
}

/**
 * One test issuer for the file (created before all tests) and a factory of guarded Express apps
 * whose guards trust it, run on an injected clock and are closed after each test.
 *
 * @example
 * const apps = useGuardedApps();
 * const { server, aap } = apps.app({ oversight: { holdTtl: 60 } });
 */
export function useGuardedApps(): { readonly issuer: TestIssuer; app(options?: Partial<GuardOptions>): GuardedApp } {
  let issuer: TestIssuer | undefined;
  const guards: Guard[] = [];
  beforeAll(async () => {
    issuer = await createIssuer();
  });
  afterEach(async () => {
    await Promise.all(guards.splice(0).map((guard) => guard.close()));
  });
  const trusted = (): TestIssuer => issuer ?? raise('useGuardedApps: the issuer exists only once beforeAll ran');
  return {
    get issuer() {
      return trusted();
    },
    app(options = {}) {
      const { issuer: iss, audience, jwks } = trusted();
      let clock = Date.now();
      const events: AuditEvent[] = [];
      const guard = createGuard({
        issuer: iss,
        audience,
        jwks,
        now: () => clock,
        audit: (event) => events.push(event),
        ...options,
      });
      guards.push(guard);
      const aap = aapGuard({ guard });
      const server = express();
      server.use(aap);
      return { guard, aap, server, events, advance: (ms) => void (clock += ms) };
    },
  };
}

/** How one replica connects and what its guard is given on top of the shared store and issuer. */
export interface ReplicaOptions {
  readonly redis?: Partial<RedisOptions>;
  readonly revocations?: Omit<RedisRevocationsOptions, 'prefix'>;
  readonly guard?: Partial<GuardOptions>;
}

/**
 * A redis-server and a test issuer for the file, and a factory of guards on replicas: each has its
 * own Redis client and a store with holds and revocations under `prefix` (replicas sharing a prefix
 * share state). Guards, clients and the server are closed after all tests. `revocationsOf(guard)`: the
 * revocation store a replica was given, to listen to it beside its guard.
 *
 * @example
 * const redis = useRedisReplicas();
 * const [a, b] = [redis.replica(prefix), redis.replica(prefix)];
 */
export function useRedisReplicas(): {
  readonly server: RedisServer;
  readonly issuer: TestIssuer;
  replica(prefix: string, options?: ReplicaOptions): Guard;
  revocationsOf(guard: Guard): RevocationStore;
} {
  let running: { server: RedisServer; issuer: TestIssuer } | undefined;
  const clients: Redis[] = [];
  const guards: Guard[] = [];
  const revocationStores = new Map<Guard, RevocationStore>();
  beforeAll(async () => {
    const [server, issuer] = await Promise.all([startRedis(), createIssuer()]);
    running = { server, issuer };
  });
  afterAll(async () => {
    await Promise.all(guards.map((guard) => guard.close()));
    for (const client of clients) client.disconnect();
    await running?.server.stop();
  });
  const started = () => running ?? raise('useRedisReplicas: the server exists only once beforeAll ran');
  return {
    get server() {
      return started().server;
    },
    get issuer() {
      return started().issuer;
    },
    replica(prefix, options = {}) {
      const { server, issuer } = started();
      const redis = new Redis({
        host: server.host,
        port: server.port,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        ...options.redis,
      });
      redis.on('error', () => undefined); // a killed server is part of some tests; the guard reports it
      clients.push(redis);
      // What redisStore() gives once it includes holds and revocations (see the issue 7 report).
      const base = redisStore(redis, { prefix });
      const revocations = redisRevocations(redis, { prefix, ...options.revocations });
      const store = {
        ...base,
        holds: redisHolds(redis, { prefix }),
        revocations,
        close: async () => {
          await base.close?.();
          await revocations.close?.();
        },
      };
      const guard = createGuard({
        issuer: issuer.issuer,
        audience: issuer.audience,
        jwks: issuer.jwks,
        store,
        ...options.guard,
      });
      guards.push(guard);
      revocationStores.set(guard, revocations);
      return guard;
    },
    revocationsOf: (guard) => revocationStores.get(guard) ?? raise('useRedisReplicas: not a replica of this file'),
  };
}

function raise(message: string): never {
  throw new Error(message);
}
