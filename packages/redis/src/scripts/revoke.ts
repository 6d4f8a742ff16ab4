import type { LuaScript } from './index.js';

/**
 * Add a revocation and publish it: drops expired entries (at most 1000 a call), keeps the later `until` of
 * an entry already there, sets both keys' expiry to the latest `until`, and publishes the entry on the
 * channel. One atomic step, so a replica that reads the set after subscribing misses nothing: every entry
 * is either in the set it reads or published after its `SUBSCRIBE`.
 *
 * KEYS: [1] the hash (field → entry JSON), [2] the zset (field → until).
 * ARGV: field, entry JSON, until (ms), now (ms), channel.
 * Returns: 1.
 *
 * Cluster: both keys carry the `{revocations}` hash tag, one slot. `PUBLISH` from a script reaches the
 * subscribers of every node (Cluster pub/sub is broadcast).
 */
export const REVOKE: LuaScript = {
  name: 'aapGuardRevoke',
  keys: 2,
  lua: `
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
`,
};
