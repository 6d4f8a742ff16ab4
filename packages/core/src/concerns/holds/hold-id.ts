import { createHash, randomBytes } from 'node:crypto';

/** Request and response header carrying a hold id. */
export const HOLD_HEADER = 'aap-hold-id';

/** Characters of a hold id that name its agent's partition (Redis Cluster slot). */
const HOLD_TAG_LENGTH = 8;

/**
 * The partition of an agent's holds: the first 8 characters of base64url SHA-256 of the agent id. Every
 * hold id starts with it, so a store can find an agent's holds, budgets and indexes from the id alone —
 * in one Redis Cluster slot.
 *
 * @example
 * holdTag('agent-writer-01') // 'f1Qw9x0Z'
 */
export function holdTag(agentId: string): string {
  return createHash('sha256').update(agentId).digest('base64url').slice(0, HOLD_TAG_LENGTH);
}

/**
 * A new hold id: the agent's tag, then 144 random bits (base64url): 32 characters, unguessable.
 *
 * @example
 * newHoldId('agent-writer-01') // 'f1Qw9x0Zbq0N2y…'
 */
export function newHoldId(agentId: string): string {
  return holdTag(agentId) + randomBytes(18).toString('base64url');
}

/** Shape of hold ids this guard issues; anything else in `AAP-Hold-Id` matches no hold. */
export const HOLD_ID = /^[A-Za-z0-9_-]{32}$/;
