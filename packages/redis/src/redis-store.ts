import {
  InfrastructureError,
  windowBuckets,
  type ConsumeRequest,
  type ConsumeResult,
  type Store,
  type WindowSpec,
  type WindowState,
} from '@aap-guard/core/store';
import type { Cluster, Redis } from 'ioredis';
import { healthPart, type HealthPart } from './connection-health.js';
import { redisHolds } from './holds.js';
import { redisRevocations } from './revocations.js';
import { CONSUME } from './scripts/consume.js';
import { registerScript } from './scripts/index.js';
import { withTimeout } from './with-timeout.js';

/** Options of `redisStore()`. */
export interface RedisStoreOptions {
  /** Prepended to every key (default `aap:`); must not contain `{` or `}` (the hash tag follows it). */
  readonly prefix?: string;
  /** Bound on one store call in ms (default 500): past it the request fails closed (503) or per `onStoreError`. */
  readonly timeoutMs?: number;
  /** Name under which the script is registered with `defineCommand` (default `aapGuardConsume`). */
  readonly commandName?: string;
  /**
   * Told about client `error` events and the revocation subscriber's errors (always handled, never an unhandled
   * `error`).
   */
  readonly onError?: (error: Error) => void;
}

/** Client states in which a command cannot be sent now: fail fast instead of waiting for the timeout. */
const DOWN = new Set(['reconnecting', 'close', 'end']);

/**
 * The Redis store: rate-limit windows, DPoP replay, holds (`redisHolds`) and revocations
 * (`redisRevocations`, fanned out over pub/sub) shared by every replica. Each request costs ONE
 * `EVALSHA` (scripts/consume.ts, registered once with ioredis `defineCommand`), for all its windows plus its
 * replay key; the keys share one hash tag, so it works on `new Redis()` and `new Redis.Cluster()`; every
 * key carries a `PEXPIRE` and goes away on its own. A window is one small hash of bucket counts (core
 * `windowBuckets()`): at most 61 counts, about 1 KB at most whatever the limit.
 *
 * Time: windows are judged in the request's `now` (the guard's injectable clock), not Redis `TIME`: tests
 * can drive the clock. The trade-off is replica clock skew: a replica whose clock is `s` ms behind counts
 * requests in buckets up to `s` ms "younger" and admits up to `s` ms later than it could; one `s` ms ahead
 * may see a bucket leave up to `s` ms early (N + 1 inside a window shorter than it by `s`), and a fixed
 * bucket may switch up to `s` ms early on it. With NTP (skew of a few ms) against windows of 60 s or more
 * this is negligible; if your replicas' clocks cannot be kept in sync, that — not the store — is what to
 * fix, since token `exp`/`nbf` checks depend on the same clocks.
 *
 * Logging: the guard attaches its logger (`attach()`); the client's and the subscriber's failures are then
 * one `store.down` line with the cause per outage and one `store.up` line once the client is ready and
 * the revocation list is resynchronized — never a line per request or per reconnect attempt.
 *
 * The client stays yours: `close()` ends only the revocation subscriber duplicated from it. Recommended
 * client options: `enableOfflineQueue: false` (fail at once while disconnected instead of queueing) and
 * `maxRetriesPerRequest: 1`.
 *
 * @example
 * import { Redis } from 'ioredis';
 * import { redisStore } from '@aap-guard/redis';
 * const redis = new Redis({ enableOfflineQueue: false, maxRetriesPerRequest: 1 });
 * const guard = createGuard({ ...options, store: redisStore(redis, { prefix: 'api1:', timeoutMs: 300 }) });
 */
export function redisStore(redis: Redis | Cluster, options: RedisStoreOptions = {}): Store {
  const { prefix, timeoutMs, name } = resolve(options);
  const command = registerScript(redis, CONSUME, name);
  const onError = (error: Error): void => {
    try {
      options.onError?.(error);
    } catch {
      // the listener only reports; it must never throw out of an EventEmitter
    }
  };
  redis.on('error', onError);
  const revocations = redisRevocations(redis, { prefix, timeoutMs, onError });
  const detach: (() => void)[] = [];
  const windowsOf = windowArguments(prefix);

  return {
    holds: redisHolds(redis, { prefix, timeoutMs }),
    revocations,
    async consume(request: ConsumeRequest): Promise<ConsumeResult> {
      if (DOWN.has(redis.status)) throw new InfrastructureError('store_unavailable', `redis is ${redis.status}`);
      const windows = windowsOf(request.windows);
      const replay = request.replay;
      const head = replay ? [prefix + replay.key] : [];
      const numKeys = head.length + windows.keys.length;
      const ttl = replay ? Math.max(1, Math.ceil(replay.ttlMs)) : 0;
      let reply: unknown;
      try {
        reply = await withTimeout(
          command(numKeys, ...head, ...windows.keys, request.now, ttl, ...windows.args),
          timeoutMs,
        );
      } catch (error) {
        throw new InfrastructureError(
          'store_unavailable',
          `redis consume failed: ${(error as Error)?.message ?? error}`,
          { cause: error },
        );
      }
      return parseReply(reply, request);
    },
    attach(runtime) {
      detach.push(reportClient(redis, healthPart(runtime)));
    },
    async close() {
      redis.off('error', onError);
      for (const stop of detach.splice(0)) stop();
      await revocations.close?.();
    },
  };
}

/**
 * Report the client connection's failures and recovery (the revocation subscriber reports its own through
 * `revocations.attach`): an error or a lost connection is one `down` with its cause, `ready` is the `up`.
 */
function reportClient(redis: Redis | Cluster, part: HealthPart): () => void {
  const down = (error: unknown): void => part.down(error, 'Redis unreachable');
  const lost = (): void => down(new Error(`connection to Redis${addressOf(redis)} closed`));
  const ready = (): void => part.up('Redis reachable again');
  redis.on('error', down);
  redis.on('close', lost);
  redis.on('ready', ready);
  return () => {
    redis.off('error', down);
    redis.off('close', lost);
    redis.off('ready', ready);
  };
}

/** ` host:port` of a single Redis client, for log lines ('' for a Cluster). */
function addressOf(redis: Redis | Cluster): string {
  const { host, port } = (redis as Redis).options ?? {};
  return redis.isCluster || host === undefined ? '' : ` ${host}:${port}`;
}

function resolve(options: RedisStoreOptions): { prefix: string; timeoutMs: number; name: string } {
  const prefix = options.prefix ?? 'aap:';
  if (typeof prefix !== 'string' || /[{}]/.test(prefix))
    throw new TypeError('redisStore({ prefix }) must be a string without { or }');
  const timeoutMs = options.timeoutMs ?? 500;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new TypeError('redisStore({ timeoutMs }) must be a positive number');
  const name = options.commandName ?? CONSUME.name;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new TypeError('redisStore({ commandName }) must be an identifier');
  return { prefix, timeoutMs, name };
}

/**
 * The script's keys and arguments for a request's windows, built once per window list: the guard passes the
 * same frozen list for every request of a token to an action, so a request adds only its time and replay key.
 */
function windowArguments(
  prefix: string,
): (windows: readonly WindowSpec[]) => { keys: readonly string[]; args: readonly number[] } {
  const built = new WeakMap<readonly WindowSpec[], { keys: readonly string[]; args: readonly number[] }>();
  return (windows) => {
    let parts = built.get(windows);
    if (!parts) {
      const args: number[] = [];
      for (const w of windows) {
        const { bucketMs, lookback } = windowBuckets(w);
        args.push(w.limit, bucketMs, lookback);
      }
      parts = { keys: windows.map((w) => prefix + w.key), args };
      built.set(windows, parts);
    }
    return parts;
  };
}

function parseReply(reply: unknown, request: ConsumeRequest): ConsumeResult {
  if (!Array.isArray(reply) || reply.some((v) => typeof v !== 'number')) {
    throw new InfrastructureError('store_unavailable', 'redis consume: unexpected script reply');
  }
  const values = reply as number[];
  if (values[0] === 1) return { ok: false, reason: 'replay' };
  const admitted = values[0] === 0;
  const windows: WindowState[] = request.windows.map((w, i) => {
    const used = values[3 + 2 * i] ?? 0;
    const resetAt = values[4 + 2 * i] ?? request.now;
    return {
      limit: w.limit,
      remaining: Math.max(0, w.limit - used),
      resetMs: Math.max(0, resetAt - request.now),
      windowMs: w.windowMs,
    };
  });
  if (admitted) return { ok: true, windows };
  return {
    ok: false,
    reason: 'limited',
    window: values[1] ?? 0,
    retryAfterMs: Math.max(0, (values[2] ?? 0) - request.now),
    windows,
  };
}
