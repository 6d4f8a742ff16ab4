/**
 * Lua of the Redis holds. Every key a script touches lives in the hold's agent partition (one Cluster
 * slot): the hold hash and the agent's budget keys. Each script reads, decides and writes in one atomic
 * step, so of several replicas racing on one hold — or one agent's budget — exactly one wins.
 * Replies are `{ outcome, ...HGETALL }` with outcome `ok` or a `HoldProblem`.
 */

/**
 * Create a pending hold within the agent's budget.
 * KEYS[1] hold hash, KEYS[2] agent's pending zset (id → expiresAt), KEYS[3] agent's creations zset
 * (id → createdAt), KEYS[4] agent's index (id → dropAt).
 * ARGV: now, id, expiresAt, dropAt, maxPending, maxPerMinute, then the hash's field/value pairs.
 * Returns `{'ok'}`, `{'pending'}` or `{'rate', retryAfterMs}`; nothing is written unless `ok`.
 */
export const HOLD_CREATE_SCRIPT = `
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
`;

/**
 * KEYS[1] hold hash; ARGV[1] binding, ARGV[2] now (ms), ARGV[3] deadline (wall-clock ms). approved + not
 * expired + same binding → used. A call Redis runs after its deadline (Redis was paused or slow, and the
 * replica already answered 503 for its timeout) changes nothing: `late`. Otherwise a request refused for
 * the outage would still use up the approval when Redis comes back.
 */
export const HOLD_CONSUME_SCRIPT = `
local t = redis.call('TIME')
if tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) > tonumber(ARGV[3]) then return {'late'} end
local h = redis.call('HGETALL', KEYS[1])
if #h == 0 then return {'unknown'} end
local f = {}
for i = 1, #h, 2 do f[h[i]] = h[i + 1] end
local now = tonumber(ARGV[2])
local problem = nil
if f['binding'] ~= ARGV[1] then problem = 'mismatch'
elseif f['status'] == 'used' or f['status'] == 'denied' then problem = f['status']
elseif now >= tonumber(f['expiresAt']) then problem = 'expired'
elseif f['status'] ~= 'approved' then problem = 'pending' end
if problem then
  table.insert(h, 1, problem)
  return h
end
redis.call('HSET', KEYS[1], 'status', 'used', 'usedAt', ARGV[2])
local out = redis.call('HGETALL', KEYS[1])
table.insert(out, 1, 'ok')
return out
`;

/**
 * KEYS[1] hold hash, KEYS[2] the agent's pending zset; ARGV[1] 'approved'|'denied', ARGV[2] by,
 * ARGV[3] now (ms), ARGV[4] note ('' = none). pending + not expired → decided (and no longer pending).
 */
export const HOLD_DECIDE_SCRIPT = `
local h = redis.call('HGETALL', KEYS[1])
if #h == 0 then return {'unknown'} end
local f = {}
for i = 1, #h, 2 do f[h[i]] = h[i + 1] end
local problem = nil
if f['status'] ~= 'pending' then problem = f['status']
elseif tonumber(ARGV[3]) >= tonumber(f['expiresAt']) then problem = 'expired' end
if problem then
  table.insert(h, 1, problem)
  return h
end
if ARGV[1] == 'approved' then
  redis.call('HSET', KEYS[1], 'status', 'approved', 'approvedBy', ARGV[2], 'approvedAt', ARGV[3])
else
  redis.call('HSET', KEYS[1], 'status', 'denied', 'deniedBy', ARGV[2], 'deniedAt', ARGV[3])
end
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'note', ARGV[4]) end
redis.call('ZREM', KEYS[2], f['id'])
local out = redis.call('HGETALL', KEYS[1])
table.insert(out, 1, 'ok')
return out
`;
