import type { LuaScript } from './index.js';

/**
 * The script of every request (rate limits and DPoP replay): checks the DPoP replay key and every
 * window, and only when all pass records all (all or nothing). Atomic because Redis runs a script to the
 * end without interleaving; Cluster-safe because every key of a request shares one hash tag and is passed
 * in KEYS. The key count varies with the request's windows: it is the call's first argument.
 *
 * KEYS: [replayKey if ARGV[3] > 0] window keys… (fixed windows carry their bucket: `key:bucket`)
 * ARGV: now(ms), requestId, replayTtlMs (0 = none), then per window: limit, windowMs, mode ('s' | 'f')
 * Returns: {1} replay | {2, refusingIndex, admitAt, count1, resetAt1, …} limited | {0, 0, 0, count1, resetAt1, …} ok
 * (counts after recording on ok; reset = when the window regains quota, absolute ms).
 * Expiry is judged in the requests' time base (`now`: window scores, buckets, the replay key's value);
 * PEXPIRE only lets Redis drop the keys on its own once they can no longer matter.
 */
export const CONSUME: LuaScript = {
  name: 'aapGuardConsume',
  keys: undefined,
  lua: `
local now = tonumber(ARGV[1])
local id = ARGV[2]
local replayTtl = tonumber(ARGV[3])
local first = 1
if replayTtl > 0 then
  local seenUntil = redis.call('GET', KEYS[1])
  if seenUntil and tonumber(seenUntil) > now then return {1} end
  first = 2
end
local n = #KEYS - first + 1
local counts, resets = {}, {}
local worst, worstAt = -1, now
for i = 1, n do
  local key = KEYS[first + i - 1]
  local a = 4 + (i - 1) * 3
  local limit, w, mode = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), ARGV[a + 2]
  local count, admitAt, resetAt
  if mode == 's' then
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now - w)
    count = redis.call('ZCARD', key)
    admitAt = now
    resetAt = now + w
    if count > 0 then
      resetAt = math.min(tonumber(redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2]), now) + w
    end
    if count >= limit then
      admitAt = tonumber(redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')[2]) + w
    end
  else
    count = tonumber(redis.call('GET', key) or '0')
    resetAt = (math.floor(now / w) + 1) * w
    admitAt = now
    if count >= limit then admitAt = resetAt end
  end
  counts[i] = count
  resets[i] = resetAt
  if admitAt > worstAt then
    worst = i
    worstAt = admitAt
  end
end
local out = {0, 0, 0}
if worst > 0 then
  out = {2, worst - 1, worstAt}
else
  if replayTtl > 0 then redis.call('SET', KEYS[1], now + replayTtl, 'PX', replayTtl) end
  for i = 1, n do
    local key = KEYS[first + i - 1]
    local w = tonumber(ARGV[4 + (i - 1) * 3 + 1])
    if ARGV[4 + (i - 1) * 3 + 2] == 's' then
      redis.call('ZADD', key, now, id)
      local newest = tonumber(redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')[2])
      redis.call('PEXPIRE', key, math.max(newest, now) - now + w)
    else
      redis.call('INCR', key)
      redis.call('PEXPIRE', key, resets[i] - now + 1000)
    end
    counts[i] = counts[i] + 1
  end
end
for i = 1, n do
  out[#out + 1] = counts[i]
  out[#out + 1] = resets[i]
end
return out
`,
};
