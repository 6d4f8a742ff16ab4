import { InfrastructureError, MAX_ANCESTORS, type LineageInput, type Revocation, type RevocationKind, type RevocationStore } from '@aap-guard/core';
import type { Cluster, Redis } from 'ioredis';
import { healthPart } from './connection-health.js';
import { LINEAGE_SCRIPT, lineageKey } from './lineage-script.js';
import { RevocationFeed, fieldOf } from './revocation-feed.js';
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

const KINDS = new Set<RevocationKind>(['jti', 'task', 'grant', 'agent', 'parent', 'sub', 'operator']);

type Script = (...args: (string | number)[]) => Promise<unknown>;

/**
 * Revocations in Redis: persisted in a hash with expiry (the latest `until`), fanned out on a pub/sub
 * channel through a duplicated subscriber connection. On every (re)connect of the subscriber it
 * subscribes first, then reads the full set (merged into what it heard meanwhile), and only then reports
 * `synced`; from a disconnect until then it reports `unsynced` (the guard fails closed: 503
 * `store_unavailable`). The subscriber opens on the first `subscribe()`; `close()` ends it (your client
 * stays yours). Entries are scoped by issuer (field `[kind, issuer, value]`).
 *
 * Lineage of delegated tokens (`lineage()`): one script call records `jti → parent_jti` and returns the
 * token's known ancestors (see lineage-script.ts; Cluster-safe through one hash tag).
 * `attach()` reports the subscriber's failures and resyncs to the guard's logger, once per state change.
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
  const addScript = command(redis, 'aapGuardRevoke', ADD_SCRIPT, 2);
  const lineageScript = command(redis, 'aapGuardLineage', LINEAGE_SCRIPT, undefined);
  const readAll = async (): Promise<Revocation[]> => {
    const fields = await withTimeout(redis.hgetall(hash), timeoutMs);
    return Object.values(fields).map(parse).filter((entry): entry is Revocation => entry !== undefined);
  };
  const feed = new RevocationFeed(redis, { channel, retryMs, readAll, parse, onError: options.onError });
  const failed = (what: string, error: unknown): InfrastructureError =>
    new InfrastructureError('store_unavailable', `redis ${what} failed: ${(error as Error)?.message ?? error}`, { cause: error });

  return {
    async add(entry) {
      try {
        await withTimeout(addScript(hash, zset, fieldOf(entry), JSON.stringify(entry), entry.until, entry.at, channel), timeoutMs);
      } catch (error) {
        throw failed('revoke', error);
      }
    },
    async snapshot(now) {
      try {
        return (await readAll()).filter((entry) => entry.until > now);
      } catch (error) {
        throw failed('revocations read', error);
      }
    },
    async lineage(token: LineageInput) {
      const keys = [lineageKey(prefix, token.issuer, token.parent)];
      if (token.jti !== undefined && token.until > token.now) keys.push(lineageKey(prefix, token.issuer, token.jti));
      let reply: unknown;
      try {
        reply = await withTimeout(lineageScript(keys.length, ...keys, token.parent, Math.ceil(token.until - token.now), MAX_ANCESTORS), timeoutMs);
      } catch (error) {
        throw failed('lineage', error);
      }
      return chainOf(reply);
    },
    subscribe: (listener) => feed.subscribe(listener),
    attach(runtime) {
      const part = healthPart(runtime);
      feed.watch((status) => {
        if (status.type === 'down') part.down(status.error, 'Redis revocation subscriber lost: the revocation list may be stale until it is read again');
        else part.up(`Redis reachable again; revocation list resynchronized (${status.entries} entries)`);
      });
    },
    close: () => feed.close(),
  };
}

/** A Lua script registered once with `defineCommand` (`keys` undefined: the key count is the first argument). */
function command(redis: Redis | Cluster, name: string, lua: string, keys: number | undefined): Script {
  const client = redis as unknown as Record<string, unknown>;
  if (typeof client[name] !== 'function') redis.defineCommand(name, keys === undefined ? { lua } : { numberOfKeys: keys, lua });
  return (client[name] as Script).bind(redis);
}

function chainOf(reply: unknown): readonly string[] {
  try {
    const chain = JSON.parse(String(reply)) as unknown;
    if (Array.isArray(chain) && chain.length > 0 && chain.every((jti) => typeof jti === 'string')) return chain as string[];
  } catch {
    // fall through
  }
  throw new InfrastructureError('store_unavailable', 'redis lineage: unexpected script reply');
}

function parse(json: string): Revocation | undefined {
  try {
    const value = JSON.parse(json) as Partial<Revocation>;
    if (!value || !KINDS.has(value.kind as RevocationKind) || typeof value.value !== 'string') return undefined;
    if (typeof value.until !== 'number' || typeof value.at !== 'number') return undefined;
    if (value.issuer !== undefined && typeof value.issuer !== 'string') return undefined;
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
