import type { LuaScript } from './index.js';

/**
 * Distrust a signing key, or lift a distrust, and publish the complete new set. The set is a hash (field
 * `[issuer, kid]` → entry JSON) with no expiry — a key stays distrusted until lifted — beside a version
 * counter, incremented by every change. The message carries the version and every entry, so a replica
 * applies a message or a read only when it is newer than what it has (pub/sub and reads race).
 *
 * KEYS: [1] the hash, [2] the version key (both `{revocations}`: one slot).
 * ARGV: 'add' or 'del', field, entry JSON ('add'), channel.
 * Returns (and publishes): JSON `{ "keys": { "v": version, "entries": [entry JSON…], "changed": 0|1 } }`
 * (an empty list encodes as `{}`).
 *
 * Replicas of an older version hear the message on the revocation channel and ignore it (not an entry).
 */
export const DISTRUST: LuaScript = {
  name: 'aapGuardDistrust',
  keys: 2,
  lua: `
local changed
if ARGV[1] == 'add' then
  redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
  changed = 1
else
  changed = redis.call('HDEL', KEYS[1], ARGV[2])
end
local v = redis.call('INCR', KEYS[2])
local message = cjson.encode({ keys = { v = v, entries = redis.call('HVALS', KEYS[1]), changed = changed } })
redis.call('PUBLISH', ARGV[4], message)
return message
`,
};

/**
 * Read the distrusted keys and their version in one step.
 * KEYS: [1] the hash, [2] the version key. Returns the same JSON as `DISTRUST` (`changed` 0).
 */
export const DISTRUSTED: LuaScript = {
  name: 'aapGuardDistrusted',
  keys: 2,
  lua: `
local v = tonumber(redis.call('GET', KEYS[2]) or '0')
return cjson.encode({ keys = { v = v, entries = redis.call('HVALS', KEYS[1]), changed = 0 } })
`,
};
