import type { LuaScript } from './index.js';

/**
 * Approve or deny a pending hold: pending and not expired → decided, and no longer counted against the
 * agent's pending budget. Atomic, so two approvers racing (or an approver and a denier) settle it once;
 * the loser is told the status the winner set.
 *
 * KEYS: [1] the hold hash, [2] the agent's pending zset (its issuer's agent: see `holdKeys`).
 * ARGV: 'approved' | 'denied', by, now (ms), note ('' = none).
 * Returns: `{'ok', …HGETALL}` after the decision, `{status or 'expired', …HGETALL}` when it was no longer
 * pending, or `{'unknown'}`.
 *
 * Cluster: both keys carry the hold's agent tag (`{h:<tag>}`), one slot.
 */
export const HOLD_DECIDE: LuaScript = {
  name: 'aapGuardHoldDecide',
  keys: 2,
  lua: `
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
`,
};
