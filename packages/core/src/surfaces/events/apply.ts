import type { Guard } from '../../guard/create-guard.js';
import type { RevocationKey } from '../../concerns/revocation/revoke.js';
import type { EventRevocation, EventRevocations } from './event-types.js';
import type { SetOutcome } from './verify-set.js';

/** Revocation kinds by key member (base/stores/revocations.ts). */
const KIND: Readonly<Record<string, string>> = {
  jti: 'jti',
  taskId: 'task',
  grantId: 'grant',
  agentId: 'agent',
  parentJti: 'parent',
  sub: 'sub',
  operator: 'operator',
};

/** How long a duplicate waits for the delivery that claimed the SET to finish applying it. */
const SETTLE_MS = 2_000;
const PROBE_MS = 50;

/**
 * Apply the revocations of one verified SET through `guard.revoke()` (persisted, fanned out to every
 * replica, audited), recorded as revoked by the SET's issuer. A SET whose `iss` + `jti` the store has seen
 * (`duplicate`) is not applied again: it waits (at most 2 s) for the delivery that claimed it — possibly on
 * another replica, a moment ago — to have its revocations in force. Only when they never appear, because
 * that delivery failed half-way (a store fault), does this one apply them: a revocation is never lost to
 * de-duplication. A store fault rejects (the transmitter gets a 503 and retries); a bad `until` is a
 * `TypeError` (400).
 */
export async function applyRevocations(
  guard: Guard,
  wanted: EventRevocations,
  set: { readonly iss: string; readonly jti: string; readonly duplicate: boolean },
): Promise<SetOutcome> {
  if (set.duplicate && (await settled(guard, wanted.keys))) return { kind: 'duplicate', jti: set.jti };
  const reason = `${wanted.reason ?? 'security event'} (SET ${set.jti})`.slice(0, 256);
  for (const key of wanted.keys) {
    await guard.revoke(key as RevocationKey, { by: `set:${set.iss}`.slice(0, 256), reason, until: wanted.until });
  }
  return { kind: 'applied', jti: set.jti };
}

async function settled(guard: Guard, keys: readonly EventRevocation[]): Promise<boolean> {
  const deadline = Date.now() + SETTLE_MS;
  while (!(await inForce(guard, keys))) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, PROBE_MS));
  }
  return true;
}

/**
 * Every entry the keys name is in the revocation list already, for the key's issuer: ids are unique per
 * issuer only (RFC 7519 §4.1.7), so another issuer's revocation of the same id never settles this one. An
 * entry without an issuer (written before entries were scoped) names every issuer.
 */
async function inForce(guard: Guard, keys: readonly EventRevocation[]): Promise<boolean> {
  const listed = await guard.revocations.list();
  const entries = new Set(listed.map((entry) => JSON.stringify([entry.kind, entry.issuer ?? '*', entry.value])));
  const has = (kind: string, issuer: string, value: string) =>
    entries.has(JSON.stringify([kind, issuer, value])) || entries.has(JSON.stringify([kind, '*', value]));
  return keys.every(({ issuer, ...members }) =>
    Object.entries(members).every(
      ([member, value]) => value === undefined || has(KIND[member] ?? member, String(issuer), String(value)),
    ),
  );
}
