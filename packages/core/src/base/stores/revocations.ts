import type { StoreRuntime } from './runtime.js';

/**
 * The revocation store: persists revocations and fans them out to every replica. Each replica keeps
 * a local copy (concerns/revocation/local-set.ts) and checks requests against it — no store call per request.
 * It also keeps the lineage of delegated tokens (`jti → parent_jti`), so that every replica finds the
 * ancestors of a token it sees for the first time, in one call.
 */

/**
 * What a revocation names: a token (`jti`), a task, a grant (`grant_id`), an agent, the descendants of a
 * token (`parent`), a user (`sub`) or an agent operator (`agent.operator`).
 */
export type RevocationKind = 'jti' | 'task' | 'grant' | 'agent' | 'parent' | 'sub' | 'operator';

/**
 * One revocation.
 *
 * @example
 * await guard.revoke({ taskId: 'task-001' }, { by: 'ops@example.com' });
 */
export interface Revocation {
  readonly kind: RevocationKind;
  readonly value: string;
  /**
   * The issuer whose tokens it names (`iss`): ids are unique per issuer only (RFC 7519 §4.1.7). Absent:
   * every issuer (entries written before revocations were scoped by issuer).
   */
  readonly issuer?: string | undefined;
  /** ms since the epoch; past it the entry is dropped (the tokens it names have expired by then). */
  readonly until: number;
  /** ms since the epoch. */
  readonly at: number;
  /** Who revoked. */
  readonly by?: string | undefined;
  readonly reason?: string | undefined;
}

/**
 * What a store tells its subscribers: one more entry; the complete set (after a (re)connect — MERGED into
 * the local copy, never replacing it: entries heard meanwhile stay, and revocations are never withdrawn,
 * only expire); or that updates may be missed until the next `synced`, with its cause (also repeated while
 * a first sync keeps failing).
 */
export type RevocationEvent =
  | { readonly type: 'added'; readonly entry: Revocation }
  | { readonly type: 'synced'; readonly entries: readonly Revocation[] }
  | { readonly type: 'unsynced'; readonly cause?: string | undefined }
  /**
   * The complete set of distrusted signing keys, REPLACING the previous one (a key is distrusted until the
   * operator lifts it: unlike revocations, entries are withdrawn). Sent after each change and on every sync.
   */
  | { readonly type: 'keys'; readonly keys: readonly DistrustedKey[] };

/**
 * A signing key of one issuer that the operator no longer trusts (draft "Key Compromise Incident Response"):
 * every token whose JWS header names `kid` and whose issuer is `issuer` is refused, cached or not, whatever
 * the JWKS says, until the operator lifts it (`guard.keys.trust()`). No expiry.
 */
export interface DistrustedKey {
  /** The issuer whose key it is (`iss`): a `kid` is unique per key set only. */
  readonly issuer: string;
  /** The JWS `kid` (RFC 7515 §4.1.4). */
  readonly kid: string;
  /** ms since the epoch. */
  readonly at: number;
  /** Who distrusted it. */
  readonly by?: string | undefined;
  readonly reason?: string | undefined;
}

/**
 * A token seen for the first time by a replica: what `record()` stores — its capabilities, for the tokens
 * delegated from it, and its parent link — and looks up: its ancestors and its parent's capabilities.
 */
export interface TokenRecordInput {
  /** The token's issuer scope (see `LineageInput.issuer`). */
  readonly issuer: string;
  /** The token's own `jti` (absent: nothing to record, only looked up). */
  readonly jti: string | undefined;
  /** `delegation.parent_jti`, when the token is delegated. */
  readonly parent: string | undefined;
  /**
   * The token's capabilities (after `capabilities_ref` expansion), as JSON: kept as given, never parsed by the store.
   */
  readonly capabilities: string;
  /** Keep the records until then (ms): the token's `exp`. */
  readonly until: number;
  /** The request time (ms). */
  readonly now: number;
}

/** What `record()` answers. */
export interface TokenRecord {
  /** The token's ancestors, nearest first (empty for a token without `parent`), as `lineage()` answers. */
  readonly chain: readonly string[];
  /** The parent's capabilities as some replica recorded them (JSON); undefined when none did (or it expired). */
  readonly parent: string | undefined;
}

/** A delegated token seen for the first time by a replica: what `lineage()` records and looks up. */
export interface LineageInput {
  /**
   * Whose `jti`s: the name of the token's issuer scope (its `iss`, or the first listed of the names sharing
   * its keys: one authorization server under several names keeps one lineage).
   */
  readonly issuer: string;
  /** The token's own `jti`, recorded as a child of `parent` (absent: nothing to record, only looked up). */
  readonly jti: string | undefined;
  /** `delegation.parent_jti`. */
  readonly parent: string;
  /** Keep the record until then (ms): the token's `exp`. */
  readonly until: number;
  /** The request time (ms). */
  readonly now: number;
}

/** Most ancestors kept per token (delegation depth is at most 10 in the AAP schema). */
export const MAX_ANCESTORS = 16;

/**
 * Storage and fan-out of revocations, and lineage of delegated tokens.
 *
 * @example
 * const revocations = memoryRevocations();
 * const stop = revocations.subscribe((event) => console.log(event.type));
 */
export interface RevocationStore {
  /** Persist an entry (until `entry.until`) and announce it to every subscriber, on every replica. */
  add(entry: Revocation): Promise<void>;
  /** Every entry still in force at `now`. */
  snapshot(now: number): Promise<readonly Revocation[]>;
  /** Listen for changes; the store emits `synced` once it can vouch for the full set. Returns an unsubscribe. */
  subscribe(listener: (event: RevocationEvent) => void): () => void;
  /**
   * Record `jti → parent` (until `until`) and return the token's ancestors, nearest first: `parent`, its
   * parent, … as far as tokens seen by any replica tell (at most `MAX_ANCESTORS`). One store round trip;
   * the guard calls it once per delegated token per replica. Absent: the guard keeps lineage in process.
   * Rejects on a store fault (`InfrastructureError`).
   */
  lineage?(token: LineageInput): Promise<readonly string[]>;
  /**
   * Record a token seen for the first time — its capabilities (kept at most until `until`; an existing record
   * is kept) and, when delegated, its lineage as `lineage()` does — and return its ancestors and its parent's
   * recorded capabilities. One store round trip; the guard calls it once per token per replica (the answer
   * is cached with the token), and prefers it to `lineage()`. A store that cannot record a root token's
   * capabilities (a full budget) may skip it: its children then find no parent. Rejects on a store fault.
   * Absent: the guard knows no parent's capabilities (`options.delegation.unknownParent` decides).
   */
  record?(token: TokenRecordInput): Promise<TokenRecord>;
  /**
   * Distrust a signing key on every replica, persisted until `trustKey()` (no expiry): announce the new set of
   * distrusted keys (`keys` event) to every subscriber. Absent: the guard cannot distrust keys.
   */
  distrustKey?(key: DistrustedKey): Promise<void>;
  /** Lift a distrust and announce the new set; resolves whether the key was distrusted. */
  trustKey?(issuer: string, kid: string): Promise<boolean>;
  /** Every distrusted key, as persisted. */
  distrustedKeys?(): Promise<readonly DistrustedKey[]>;
  /** Told once by each guard that uses the store where to report infrastructure events. */
  attach?(runtime: StoreRuntime): void;
  close?(): Promise<void>;
}
