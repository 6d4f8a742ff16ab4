import { InfrastructureError, type Revocation, type RevocationKind, type RevocationStore } from '@aap-guard/core';
import type { Cluster, Redis } from 'ioredis';
import { RevocationFeed } from './revocation-feed.js';
import { withTimeout } from './with-timeout.js';

/** Options of `redisRevocations()`. */
export interface RedisRevocationsOptions {
  /** Prepended to keys and the channel (default `aap:`); must not contain `{` or `}`. */
  readonly prefix?: string;
  /** Bound on one Redis call in ms (default 500). */
  readonly timeoutMs?: number;
  /** Wait between attempts to resynchronize after a failure, in ms (default 250). */
  readonly retryMs?: number;
  /** Told about errors of the subscriber connection (always handled). */
  readonly onError?: (error: Error) => void;
}

/**
 * KEYS[1] hash field → entry JSON, KEYS[2] zset field → until; ARGV field, json, until, now, channel.
 * Drops expired entries, keeps the later `until`, sets both keys' expiry to the latest `until`, and
 * publishes the entry — one atomic step, so a replica that reads the set after subscribing misses nothing.
 */
const ADD_SCRIPT = `
local now = tonumber(ARGV[4])
local gone = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 1000)
for _, f in ipairs(gone) do redis.call('HDEL', KEYS[1], f) end
if #gone > 0 then redis.call('ZREM', KEYS[2], unpack(gone)) end
local old = redis.call('ZSCORE', KEYS[2], ARGV[1])
if (not old) or tonumber(old) < tonumber(ARGV[3]) then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
end
local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
local ttl = math.max(1, math.ceil(tonumber(last[2]) - now))
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
redis.call('PUBLISH', ARGV[5], ARGV[2])
return 1
`;

const KINDS = new Set<RevocationKind>(['jti', 'task', 'grant', 'agent', 'parent']);

/**
 * Revocations in Redis: persisted in a hash with expiry (the latest `until`), fanned out on a pub/sub
 * channel through a duplicated subscriber connection. On every (re)connect of the subscriber it
 * subscribes first, then reads the full set, and only then reports `synced`; from a disconnect until
 * then it reports `unsynced` (the guard fails closed: 503 `store_unavailable`). The subscriber opens on
 * the first `subscribe()`; `close()` ends it (your client stays yours).
 *
 * @example
 * // redisStore(redis) includes these already; standalone, e.g. over a memory store for rate limits:
 * const store = { ...memoryStore(), revocations: redisRevocations(redis) };
 */
export function redisRevocations(redis: Redis | Cluster, options: RedisRevocationsOptions = {}): RevocationStore {
  const { prefix, timeoutMs, retryMs } = settings(options);
  const hash = `${prefix}{revocations}`;
  const zset = `${prefix}{revocations}:until`;
  const channel = `${prefix}revocations`;
  const client = redis as unknown as Record<string, unknown>;
  if (typeof client.aapGuardRevoke !== 'function') redis.defineCommand('aapGuardRevoke', { numberOfKeys: 2, lua: ADD_SCRIPT });
  const addScript = (client.aapGuardRevoke as (...args: (string | number)[]) => Promise<unknown>).bind(redis);
  const readAll = async (): Promise<Revocation[]> => {
    const fields = await withTimeout(redis.hgetall(hash), timeoutMs);
    return Object.values(fields).map(parse).filter((entry): entry is Revocation => entry !== undefined);
  };
  const feed = new RevocationFeed(redis, { channel, retryMs, readAll, parse, onError: options.onError });

  return {
    async add(entry) {
      const field = `${entry.kind}:${entry.value}`;
      try {
        await withTimeout(addScript(hash, zset, field, JSON.stringify(entry), entry.until, entry.at, channel), timeoutMs);
      } catch (error) {
        throw new InfrastructureError('store_unavailable', `redis revoke failed: ${(error as Error)?.message ?? error}`, { cause: error });
      }
    },
    async snapshot(now) {
      try {
        return (await readAll()).filter((entry) => entry.until > now);
      } catch (error) {
        throw new InfrastructureError('store_unavailable', 'redis revocations read failed', { cause: error });
      }
    },
    subscribe: (listener) => feed.subscribe(listener),
    close: () => feed.close(),
  };
}

function parse(json: string): Revocation | undefined {
  try {
    const value = JSON.parse(json) as Partial<Revocation>;
    if (!value || !KINDS.has(value.kind as RevocationKind) || typeof value.value !== 'string') return undefined;
    if (typeof value.until !== 'number' || typeof value.at !== 'number') return undefined;
    return Object.freeze(value as Revocation);
  } catch {
    return undefined;
  }
}

function settings(options: RedisRevocationsOptions): { prefix: string; timeoutMs: number; retryMs: number } {
  const prefix = options.prefix ?? 'aap:';
  if (typeof prefix !== 'string' || /[{}]/.test(prefix)) throw new TypeError('redisRevocations({ prefix }) must be a string without { or }');
  const timeoutMs = options.timeoutMs ?? 500;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new TypeError('redisRevocations({ timeoutMs }) must be a positive number');
  const retryMs = options.retryMs ?? 250;
  if (!Number.isFinite(retryMs) || retryMs <= 0) throw new TypeError('redisRevocations({ retryMs }) must be a positive number');
  return { prefix, timeoutMs, retryMs };
}
