/**
 * Lua of the Redis holds: each reads the hold's hash, decides, and writes the new status in one
 * atomic script, so of several replicas racing on one hold exactly one wins. Replies are
 * `{ outcome, ...HGETALL }` with outcome `ok` or a `HoldProblem`.
 */

/** KEYS[1] hold hash; ARGV[1] binding, ARGV[2] now (ms). approved + not expired + same binding → used. */
export const HOLD_CONSUME_SCRIPT = `
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

/** KEYS[1] hold hash; ARGV[1] 'approved'|'denied', ARGV[2] by, ARGV[3] now (ms), ARGV[4] note ('' = none). */
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
local out = redis.call('HGETALL', KEYS[1])
table.insert(out, 1, 'ok')
return out
`;
