import { calculateJwkThumbprint, type JWK } from 'jose';

/** The keys of a set by `kid` (`''` for keys without one) → their RFC 7638 thumbprints. */
export type KeyIds = ReadonlyMap<string, ReadonlySet<string>>;

/** What changed between two fetches of a key set. */
export interface KeyChange {
  /** `kid`s that appeared. */
  readonly added: readonly string[];
  /** `kid`s that disappeared. */
  readonly removed: readonly string[];
  /** `kid`s that stayed but now name other key material. */
  readonly replaced: readonly string[];
  /** `kid`s whose former keys are gone (removed or replaced): what they verified must be forgotten. */
  readonly withdrawn: ReadonlySet<string>;
}

/**
 * Identify each key of a set by `kid` and RFC 7638 thumbprint (jose computes it), so that a key
 * withdrawn — or replaced under the same `kid` — is noticed. A key whose thumbprint cannot be
 * computed (missing members) is identified by its JSON text.
 *
 * @example
 * const ids = await keyIds(jwks.keys);
 */
export async function keyIds(keys: readonly JWK[]): Promise<KeyIds> {
  const ids = new Map<string, Set<string>>();
  for (const key of keys) {
    const kid = typeof key.kid === 'string' ? key.kid : '';
    let id: string;
    try {
      id = await calculateJwkThumbprint(key, 'sha256');
    } catch {
      id = JSON.stringify(key);
    }
    const set = ids.get(kid) ?? new Set<string>();
    ids.set(kid, set.add(id));
  }
  return ids;
}

/**
 * Compare two fetches of a key set.
 *
 * @example
 * const change = keyChange(before, after);
 * if (change.withdrawn.size > 0) console.log('evict what these verified:', [...change.withdrawn]);
 */
export function keyChange(before: KeyIds, after: KeyIds): KeyChange {
  const added = [...after.keys()].filter((kid) => !before.has(kid));
  const removed: string[] = [];
  const replaced: string[] = [];
  for (const [kid, ids] of before) {
    const now = after.get(kid);
    if (!now) removed.push(kid);
    else if ([...ids].some((id) => !now.has(id))) replaced.push(kid);
  }
  return { added, removed, replaced, withdrawn: new Set([...removed, ...replaced]) };
}
