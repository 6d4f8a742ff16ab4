import type { LuaScript } from './index.js';

/**
 * Create a pending hold within its agent's budget: at most `maxPending` pending holds and `maxPerMinute`
 * creations in the last minute. Checking the budget and counting the new hold are one atomic step (Redis
 * runs a script to the end without interleaving), so replicas racing for an agent's last slot admit exactly
 * one; a `MULTI` could not make the write depend on the counts it read.
 *
 * KEYS: [1] the hold hash, [2] the agent's pending zset (id → expiresAt), [3] the agent's creations zset
 * (id → createdAt), [4] the agent's index (id → dropAt). The two budget keys ([2], [3]) name the agent's
 * issuer with its id: two issuers' agents with one id never share a budget.
 * ARGV: now (ms), id, expiresAt, dropAt, maxPending, maxPerMinute, then the hash's field/value pairs.
 * Returns: `{'ok'}`, `{'pending'}` (too many pending) or `{'rate', retryAfterMs}`; nothing is written
 * unless `ok`. Every key gets a `PEXPIRE`, so an abandoned hold and its budget entries go away on their own.
 *
 * Cluster: all four keys carry the hold's agent tag (`{h:<tag>}`, see `holdKeys` in holds.ts), so the
 * call touches one slot.
 */
export const HOLD_CREATE: LuaScript = {
  name: 'aapGuardHoldCreate',
  keys: 4,
  lua: `
local now, id = tonumber(ARGV[1]), ARGV[2]
local expiresAt, dropAt = tonumber(ARGV[3]), tonumber(ARGV[4])
local maxPending, perMinute = tonumber(ARGV[5]), tonumber(ARGV[6])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) >= maxPending then return {'pending'} end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - 60000)
local n = redis.call('ZCARD', KEYS[3])
if n >= perMinute then
  local oldest = tonumber(redis.call('ZRANGE', KEYS[3], n - perMinute, n - perMinute, 'WITHSCORES')[2])
  return {'rate', math.max(1, oldest + 60000 - now)}
end
redis.call('HSET', KEYS[1], unpack(ARGV, 7))
redis.call('PEXPIRE', KEYS[1], math.max(1, dropAt - now))
redis.call('ZADD', KEYS[2], expiresAt, id)
redis.call('PEXPIRE', KEYS[2], math.max(1, tonumber(redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')[2]) - now))
redis.call('ZADD', KEYS[3], now, id)
redis.call('PEXPIRE', KEYS[3], 60000)
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
redis.call('ZADD', KEYS[4], dropAt, id)
redis.call('PEXPIRE', KEYS[4], math.max(1, tonumber(redis.call('ZRANGE', KEYS[4], -1, -1, 'WITHSCORES')[2]) - now))
return {'ok'}
`,
};
