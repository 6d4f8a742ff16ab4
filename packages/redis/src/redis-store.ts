import {
  CONSUME_NOW,
  InfrastructureError,
  windowBuckets,
  type ConsumeRequest,
  type ConsumesNow,
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
   * Rate-limit quota taken from Redis in batches, as a fraction of the limit (default 0.001; 0: one call per
   * request). A window whose limit is at least `2 / batch` (2,000 by default) takes ⌊limit × batch⌋ requests at
   * once and admits them on this replica without a round trip while the bucket they are recorded in lasts (a
   * second of a sliding minute); the next call hands back what it did not use. Never more than the limit in any
   * window; at most `batch × limit − 1` per replica and window fewer while a batch is out. Smaller limits, and
   * DPoP requests (their replay key needs the call anyway), take one request per call: exact.
   */
  readonly batch?: number;
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
 * (`redisRevocations`, fanned out over pub/sub) shared by every replica. A request costs at most ONE
 * `EVALSHA` (scripts/consume.ts, registered once with ioredis `defineCommand`), for all its windows plus its
 * replay key; the keys share one hash tag, so it works on `new Redis()` and `new Redis.Cluster()`; every
 * key carries a `PEXPIRE` and goes away on its own. A window is one small hash of bucket counts (core
 * `windowBuckets()`): at most 61 counts, about 1 KB at most whatever the limit. High limits are taken in
 * batches (`batch`): most requests of a busy token cost no call at all, and no window admits more than its
 * limit — what a batch takes is recorded in the bucket it is used in, and what it leaves is handed back.
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
  const { prefix, timeoutMs, name, batch } = resolve(options);
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
  const windowsOf = windowArguments(prefix, batch);

  /** One script call: the request's replay key and windows, `want` requests of them, handing back `release`. */
  const call = async (request: ConsumeRequest, want: number, release?: Batch): Promise<Reply> => {
    if (DOWN.has(redis.status)) throw new InfrastructureError('store_unavailable', `redis is ${redis.status}`);
    const windows = windowsOf(request.windows);
    const replay = request.replay;
    const head = replay ? [prefix + replay.key] : [];
    const numKeys = head.length + windows.keys.length;
    const ttl = replay ? Math.max(1, Math.ceil(replay.ttlMs)) : 0;
    const args = release ? releasing(windows.args, release) : windows.args;
    let reply: unknown;
    try {
      reply = await withTimeout(command(numKeys, ...head, ...windows.keys, request.now, ttl, want, ...args), timeoutMs);
    } catch (error) {
      throw new InfrastructureError(
        'store_unavailable',
        `redis consume failed: ${(error as Error)?.message ?? error}`,
        {
          cause: error,
        },
      );
    }
    return parseReply(reply, request);
  };
  const batches = batching(call);
  const consume = (request: ConsumeRequest): ConsumeResult | Promise<ConsumeResult> => {
    const want = request.replay ? 1 : windowsOf(request.windows).want;
    return want > 1 ? batches(request, want) : call(request, 1).then((reply) => reply.result);
  };

  const store: Store & ConsumesNow = {
    holds: redisHolds(redis, { prefix, timeoutMs }),
    revocations,
    consume: async (request) => consume(request),
    // The guard's path: a request a batch admits is answered without a promise.
    [CONSUME_NOW]: consume,
    attach(runtime) {
      detach.push(reportClient(redis, healthPart(runtime)));
    },
    async close() {
      redis.off('error', onError);
      for (const stop of detach.splice(0)) stop();
      await revocations.close?.();
    },
  };
  return store;
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

function resolve(options: RedisStoreOptions): { prefix: string; timeoutMs: number; name: string; batch: number } {
  const prefix = options.prefix ?? 'aap:';
  if (typeof prefix !== 'string' || /[{}]/.test(prefix))
    throw new TypeError('redisStore({ prefix }) must be a string without { or }');
  const timeoutMs = options.timeoutMs ?? 500;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new TypeError('redisStore({ timeoutMs }) must be a positive number');
  const name = options.commandName ?? CONSUME.name;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new TypeError('redisStore({ commandName }) must be an identifier');
  const batch = options.batch ?? 0.001;
  if (typeof batch !== 'number' || !(batch >= 0 && batch < 1))
    throw new TypeError('redisStore({ batch }) must be a number from 0 (one call per request) up to, not including, 1');
  return { prefix, timeoutMs, name, batch };
}

/** A request's windows as the script takes them, and the batch size they allow. */
interface WindowArguments {
  readonly keys: readonly string[];
  /** Per window: limit, bucketMs, lookback, releaseBucket (-1), releaseCount (0). */
  readonly args: readonly number[];
  readonly bucketMs: readonly number[];
  /** Requests one call takes for a Bearer request: ⌊smallest limit × batch⌋, or 1. */
  readonly want: number;
}

/**
 * The script's keys and arguments for a request's windows, built once per window list: the guard passes the
 * same frozen list for every request of a token to an action, so a request adds only its time and replay key.
 */
function windowArguments(prefix: string, batch: number): (windows: readonly WindowSpec[]) => WindowArguments {
  const built = new WeakMap<readonly WindowSpec[], WindowArguments>();
  return (windows) => {
    let parts = built.get(windows);
    if (!parts) {
      const args: number[] = [];
      const bucketMs: number[] = [];
      let smallest = Number.POSITIVE_INFINITY;
      for (const w of windows) {
        const buckets = windowBuckets(w);
        args.push(w.limit, buckets.bucketMs, buckets.lookback, -1, 0);
        bucketMs.push(buckets.bucketMs);
        smallest = Math.min(smallest, w.limit);
      }
      const want = windows.length > 0 ? Math.max(1, Math.floor(smallest * batch)) : 1;
      parts = { keys: windows.map((w) => prefix + w.key), args, bucketMs, want };
      built.set(windows, parts);
    }
    return parts;
  };
}

/** The window arguments with `batch`'s unused requests handed back to the buckets they were recorded in. */
function releasing(args: readonly number[], batch: Batch): number[] {
  const copy = args.slice();
  const count = batch.left;
  batch.left = 0;
  for (let i = 0; i < batch.buckets.length; i += 1) {
    copy[i * 5 + 3] = batch.buckets[i] as number;
    copy[i * 5 + 4] = count;
  }
  return copy;
}

/** Requests taken from Redis in one call and not admitted yet, usable while every window's bucket lasts. */
interface Batch {
  /** Taken and not admitted yet. */
  left: number;
  /** The bucket of each window the batch was recorded in, and the span of time they all cover. */
  readonly buckets: readonly number[];
  readonly from: number;
  readonly until: number;
  /** Each window's count after the batch was recorded, and when it regains quota (absolute ms). */
  readonly used: readonly number[];
  readonly resetAt: readonly number[];
}

/** What one script call answered: the request's result, and on admission the batch it took. */
interface Reply {
  readonly result: ConsumeResult;
  readonly granted: number;
  readonly buckets: readonly number[];
  readonly used: readonly number[];
  readonly resetAt: readonly number[];
}

/**
 * Batched admission: a request whose windows have a live batch on this replica is admitted from it, without
 * a round trip; otherwise one call takes a new batch (handing back the old one's rest) — one call at a time per
 * window list: requests arriving meanwhile wait for it and then take from the batch it brought.
 */
function batching(
  call: (request: ConsumeRequest, want: number, release?: Batch) => Promise<Reply>,
): (request: ConsumeRequest, want: number) => ConsumeResult | Promise<ConsumeResult> {
  const batches = new WeakMap<readonly WindowSpec[], Batch>();
  const pending = new WeakMap<readonly WindowSpec[], Promise<unknown>>();
  const take = (request: ConsumeRequest, want: number): ConsumeResult | Promise<ConsumeResult> => {
    const { windows, now } = request;
    const batch = batches.get(windows);
    if (batch && batch.left > 0 && now >= batch.from && now < batch.until) {
      batch.left -= 1;
      return admittedFrom(batch, request);
    }
    const waiting = pending.get(windows);
    if (waiting) return waiting.then(() => take(request, want));
    const taking = call(request, want, batch && batch.left > 0 ? batch : undefined).then((reply) => {
      if (!reply.result.ok || reply.granted <= 1) {
        batches.delete(windows);
        return reply.result;
      }
      const taken = batchOf(reply, request);
      batches.set(windows, taken);
      return admittedFrom(taken, request);
    });
    const settled = taking.finally(() => pending.delete(windows));
    pending.set(
      windows,
      settled.catch(() => undefined),
    );
    return settled;
  };
  return take;
}

function batchOf(reply: Reply, request: ConsumeRequest): Batch {
  let from = Number.NEGATIVE_INFINITY;
  let until = Number.POSITIVE_INFINITY;
  request.windows.forEach((w, i) => {
    const bucketMs = windowBuckets(w).bucketMs;
    const bucket = reply.buckets[i] as number;
    from = Math.max(from, bucket * bucketMs);
    until = Math.min(until, (bucket + 1) * bucketMs);
  });
  return { left: reply.granted - 1, buckets: reply.buckets, from, until, used: reply.used, resetAt: reply.resetAt };
}

/** The result of a request admitted from a batch: the windows as this replica sees them (RateLimit headers). */
function admittedFrom(batch: Batch, request: ConsumeRequest): ConsumeResult {
  const windows: WindowState[] = request.windows.map((w, i) => ({
    limit: w.limit,
    remaining: Math.max(0, w.limit - ((batch.used[i] as number) - batch.left)),
    resetMs: Math.max(0, (batch.resetAt[i] as number) - request.now),
    windowMs: w.windowMs,
  }));
  return { ok: true, windows };
}

function parseReply(reply: unknown, request: ConsumeRequest): Reply {
  const result = parseResult(reply, request);
  const values = reply as number[];
  const n = request.windows.length;
  if (!result.ok) return { result, granted: 0, buckets: [], used: [], resetAt: [] };
  const used: number[] = [];
  const resetAt: number[] = [];
  for (let i = 0; i < n; i += 1) {
    used.push(values[3 + 2 * i] ?? 0);
    resetAt.push(values[4 + 2 * i] ?? request.now);
  }
  return { result, granted: values[1] ?? 1, buckets: values.slice(3 + 2 * n, 3 + 3 * n), used, resetAt };
}

function parseResult(reply: unknown, request: ConsumeRequest): ConsumeResult {
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
