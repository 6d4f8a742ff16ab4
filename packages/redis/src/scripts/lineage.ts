import { createHash } from 'node:crypto';
import type { LuaScript } from './index.js';

/**
 * The lineage of delegated tokens in Redis: one string key per token seen with a `delegation.parent_jti`,
 * holding its known ancestors (JSON array, nearest first), until the token's `exp`.
 *
 * KEYS: [1] the parent's key, [2] the token's key when it has a `jti` (the key count is the call's first
 * argument).
 * ARGV: parent jti, ttlMs, max (ancestors kept).
 * Returns: the chain as JSON (nearest first). Reads the parent's ancestors, prepends the parent (at most
 * `max`), records that under the token's key — unless a record at least as long is there (then it is kept,
 * and kept at least as long). Atomic: one script call reads the parent and writes the token, so two
 * replicas seeing the same token never shorten each other's record.
 *
 * Cluster: every lineage key carries the same hash tag (`{lineage}`), so each call touches one slot. A
 * chain walk across slots would need one call per ancestor; storing each token's whole chain instead
 * needs only its parent's key, and one slot keeps the pair together. The cost is that all lineage lives
 * on one node — small records, written once per delegated token per replica that first sees it.
 */
export const LINEAGE: LuaScript = {
  name: 'aapGuardLineage',
  keys: undefined,
  lua: `
local max = tonumber(ARGV[3])
local chain = { ARGV[1] }
local above = redis.call('GET', KEYS[1])
if above then
  for _, jti in ipairs(cjson.decode(above)) do
    if #chain >= max then break end
    chain[#chain + 1] = jti
  end
end
if #KEYS < 2 then return cjson.encode(chain) end
local ttl = tonumber(ARGV[2])
local mine = redis.call('GET', KEYS[2])
if mine then
  local known = cjson.decode(mine)
  if #known >= #chain then
    if redis.call('PTTL', KEYS[2]) < ttl then redis.call('PEXPIRE', KEYS[2], ttl) end
    return mine
  end
end
local encoded = cjson.encode(chain)
redis.call('SET', KEYS[2], encoded, 'PX', ttl)
return encoded
`,
};

/**
 * The lineage key of a token: `<prefix>{lineage}:` + SHA-256 of its issuer and `jti` (ids are unique per
 * issuer only, RFC 7519 §4.1.7; hashed, so any `jti` makes a short key with no brace to break the tag).
 *
 * @example
 * lineageKey('aap:', 'https://as.example.com', 'jti-1'); // 'aap:{lineage}:Xq…'
 */
export function lineageKey(prefix: string, issuer: string, jti: string): string {
  const digest = createHash('sha256').update(`${issuer.length}:${issuer}`).update(jti).digest('base64url');
  return `${prefix}{lineage}:${digest}`;
}

/**
 * A token's record at its first sight by a replica (`record()`): its capabilities — kept for the breadth
 * check of the tokens delegated from it — and, delegated, its lineage exactly as `LINEAGE` keeps it; answers
 * its ancestors and its parent's capabilities. One atomic call, one slot (`{lineage}`). Capability records
 * live under keys of their own (`capabilitiesKey`): a lineage key keeps the JSON array an older replica's
 * `LINEAGE` script reads.
 *
 * KEYS: [own lineage key, own capabilities key] when the token has a `jti` and time left, then [parent lineage
 * key, parent capabilities key] when it is delegated (the key count is the call's first argument).
 * ARGV: hasOwn (1/0), hasParent (1/0), parent jti, ttlMs, max (ancestors kept), capabilities JSON.
 * Returns: JSON `{ chain, parent }` — `chain` nearest first (an empty table encodes as `{}`), `parent` the
 * parent's capabilities JSON or `false`. A capability record already there is kept (and kept at least as long).
 */
export const RECORD: LuaScript = {
  name: 'aapGuardRecord',
  keys: undefined,
  lua: `
local hasOwn = ARGV[1] == '1'
local hasParent = ARGV[2] == '1'
local ttl = tonumber(ARGV[4])
local max = tonumber(ARGV[5])
local o = 0
if hasOwn then o = 2 end
local chain = {}
local parentCaps = false
if hasParent then
  chain[1] = ARGV[3]
  local above = redis.call('GET', KEYS[o + 1])
  if above then
    for _, jti in ipairs(cjson.decode(above)) do
      if #chain >= max then break end
      chain[#chain + 1] = jti
    end
  end
  parentCaps = redis.call('GET', KEYS[o + 2])
end
if hasOwn then
  if hasParent then
    local mine = redis.call('GET', KEYS[1])
    local kept = false
    if mine then
      local known = cjson.decode(mine)
      if #known >= #chain then
        kept = true
        chain = known
        if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
      end
    end
    if not kept then redis.call('SET', KEYS[1], cjson.encode(chain), 'PX', ttl) end
  end
  if not redis.call('SET', KEYS[2], ARGV[6], 'PX', ttl, 'NX') then
    if redis.call('PTTL', KEYS[2]) < ttl then redis.call('PEXPIRE', KEYS[2], ttl) end
  end
end
return cjson.encode({ chain = chain, parent = parentCaps })
`,
};

/**
 * The key of a token's capability record: `<prefix>{lineage}:c:` + the same digest as its lineage key.
 *
 * @example
 * capabilitiesKey('aap:', 'https://as.example.com', 'jti-1'); // 'aap:{lineage}:c:Xq…'
 */
export function capabilitiesKey(prefix: string, issuer: string, jti: string): string {
  return lineageKey(prefix, issuer, jti).replace('{lineage}:', '{lineage}:c:');
}
