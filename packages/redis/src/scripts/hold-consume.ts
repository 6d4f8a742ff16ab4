import type { LuaScript } from './index.js';

/**
 * Use an approved hold: approved, not expired and bound to the same request → `used`, once. Reading the
 * status and marking it used are one atomic step, so of many retries racing on several replicas exactly
 * one gets through.
 *
 * KEYS: [1] the hold hash.
 * ARGV: binding, now (ms), deadline (wall-clock ms, compared with Redis `TIME`).
 * Returns: `{'ok', …HGETALL}` after marking it used, `{problem, …HGETALL}` (`mismatch`, `used`, `denied`,
 * `expired`, `pending`), `{'unknown'}` or `{'late'}`. A call Redis runs after its deadline (Redis was paused
 * or slow, and the replica already answered 503 for its timeout) changes nothing: otherwise a request
 * refused for the outage would still use up the approval when Redis comes back.
 *
 * Cluster: one key.
 */
export const HOLD_CONSUME: LuaScript = {
  name: 'aapGuardHoldConsume',
  keys: 1,
  lua: `
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
`,
};
