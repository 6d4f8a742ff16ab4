import type { LuaScript } from './index.js';

/**
 * The script of every request (rate limits and DPoP replay): checks the DPoP replay key and every
 * window, and only when all pass records all (all or nothing). Atomic because Redis runs a script to the
 * end without interleaving; Cluster-safe because every key of a request shares one hash tag and is passed
 * in KEYS. The key count varies with the request's windows: it is the call's first argument.
 *
 * A window is the bucketed counter of core `windowBuckets()`: one hash per window whose fields are the
 * counts of its non-empty live buckets (field = bucket number) and `n` (their total), `o` / `h` (oldest and
 * newest bucket), `w` / `v` (a refused request's wait and the limit it was computed for, kept until the next
 * admission: the wait does not change while nothing is admitted, so a flood of refused requests reads three
 * fields instead of walking the buckets). At most 61 buckets whatever the limit; an admitted request costs
 * a few O(1) commands, plus one read of the buckets when a bucket has left since the last admission.
 *
 * A batch (`want` > 1, the store's `batch` option): an admitted call records `granted` requests at once — the
 * most of `want` that every window still admits, at least this one — in the current bucket of each window; the
 * store admits the rest locally while that bucket lasts and hands back what it did not use (`release`: that many
 * taken off the bucket they were recorded in, if it still counts), so the counts stay an upper bound of the
 * requests admitted in each bucket: never more than the limit in any window.
 *
 * KEYS: [replayKey if ARGV[2] > 0] window keys…
 * ARGV: now(ms), replayTtlMs (0 = none), want (≥ 1), then per window: limit, bucketMs, lookback (buckets before the
 * current), releaseBucket, releaseCount (0 = nothing to hand back)
 * Returns: {1} replay | {2, refusingIndex, admitAt, used1, resetAt1, …} limited |
 * {0, granted, 0, used1, resetAt1, …, bucket1, …} ok
 * (used after recording on ok; resetAt = when the window regains quota, or admits again if it refused; absolute ms;
 * bucket = the bucket the grant was recorded in).
 * Expiry is judged in the requests' time base (`now`: buckets, the replay key's value); PEXPIRE only lets
 * Redis drop a key on its own once it can no longer matter.
 */
export const CONSUME: LuaScript = {
  name: 'aapGuardConsume',
  keys: undefined,
  lua: `
local now = tonumber(ARGV[1])
local replayTtl = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local first = 1
if replayTtl > 0 then
  local seenUntil = redis.call('GET', KEYS[1])
  if seenUntil and tonumber(seenUntil) > now then return {1} end
  first = 2
end

local function buckets(from, to)
  local list = {}
  for b = from, to do list[#list + 1] = b end
  return list
end

-- The wait of a refused request: until the oldest buckets holding used - limit + 1 requests have left.
local function wait(w)
  local need, gone = w.used - w.limit + 1, 0
  local list = buckets(w.oldest, w.newest)
  local counts = redis.call('HMGET', w.key, unpack(list))
  for i = 1, #list do
    if counts[i] then
      gone = gone + tonumber(counts[i])
      if gone >= need then return (list[i] + w.back + 1) * w.g end
    end
  end
  return (w.newest + w.back + 1) * w.g
end

-- Read one window, writing nothing: what counts, where this request would count, when it would be admitted.
local function load(key, limit, g, back)
  local own = math.floor(now / g)
  local w = {key = key, limit = limit, g = g, back = back, bucket = own, used = 0}
  local m = redis.call('HMGET', key, 'n', 'o', 'h', 'w', 'v')
  if not m[1] then return w end
  local o, h = tonumber(m[2]), tonumber(m[3])
  local floor = math.max(own, h) - back
  w.bucket = math.max(own, floor)
  if h < floor then
    w.reset = true
    return w
  end
  w.used, w.newest = tonumber(m[1]), h
  if o >= floor then
    w.oldest = o
  else
    w.gone = {}
    local list = buckets(o, h)
    local counts = redis.call('HMGET', key, unpack(list))
    for i = 1, #list do
      if counts[i] then
        if list[i] < floor then
          w.used = w.used - tonumber(counts[i])
          w.gone[#w.gone + 1] = list[i]
        elseif not w.oldest then
          w.oldest = list[i]
        end
      end
    end
  end
  if w.used >= limit then
    local cached = tonumber(m[4])
    if cached and cached > now and tonumber(m[5]) == limit then
      w.admitAt = cached
    else
      w.admitAt, w.fresh = wait(w), true
    end
  end
  return w
end

local function record(w, count)
  if w.reset then redis.call('DEL', w.key) end
  if w.gone and #w.gone > 0 then redis.call('HDEL', w.key, unpack(w.gone)) end
  redis.call('HINCRBY', w.key, w.bucket, count)
  if (not w.oldest) or w.bucket < w.oldest then w.oldest = w.bucket end
  if (not w.newest) or w.bucket > w.newest then w.newest = w.bucket end
  w.used = w.used + count
  redis.call('HSET', w.key, 'n', w.used, 'o', w.oldest, 'h', w.newest, 'w', 0)
  redis.call('PEXPIRE', w.key, math.ceil((w.newest + w.back + 1) * w.g - now))
end

-- Hand back what a batch did not use: off the bucket it was recorded in, if that bucket still holds it.
local function release(key, bucket, count)
  local held = tonumber(redis.call('HGET', key, bucket) or '0')
  if held <= 0 then return end
  local back = math.min(count, held)
  if back == held then redis.call('HDEL', key, bucket) else redis.call('HINCRBY', key, bucket, -back) end
  local left = redis.call('HINCRBY', key, 'n', -back)
  if left <= 0 then redis.call('DEL', key) else redis.call('HSET', key, 'w', 0) end
end

local n = #KEYS - first + 1
local windows = {}
local worst, worstAt = -1, now
for i = 1, n do
  local a = 4 + (i - 1) * 5
  if tonumber(ARGV[a + 4]) > 0 then release(KEYS[first + i - 1], ARGV[a + 3], tonumber(ARGV[a + 4])) end
end
local granted = want
for i = 1, n do
  local a = 4 + (i - 1) * 5
  local w = load(KEYS[first + i - 1], tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]))
  windows[i] = w
  granted = math.min(granted, w.limit - w.used)
  if w.admitAt and w.admitAt > worstAt then
    worst = i
    worstAt = w.admitAt
  end
end
local out
if worst > 0 then
  out = {2, worst - 1, worstAt}
  for i = 1, n do
    local w = windows[i]
    if w.fresh then redis.call('HSET', w.key, 'w', w.admitAt, 'v', w.limit) end
  end
else
  if granted < 1 then granted = 1 end
  out = {0, granted, 0}
  if replayTtl > 0 then redis.call('SET', KEYS[1], now + replayTtl, 'PX', replayTtl) end
  for i = 1, n do record(windows[i], granted) end
end
for i = 1, n do
  local w = windows[i]
  out[#out + 1] = w.used
  out[#out + 1] = w.admitAt or ((w.oldest or w.bucket) + w.back + 1) * w.g
end
if worst < 0 then
  for i = 1, n do out[#out + 1] = windows[i].bucket end
end
return out
`,
};
