/**
 * The revocation store: persists revocations and fans them out to every replica. Each replica keeps
 * a local copy (revocation/local-set.ts) and checks requests against it — no store call per request.
 */

/** What a revocation names: a token (`jti`), a task, a grant (`grant_id`), an agent, or the children of a token (`parent`). */
export type RevocationKind = 'jti' | 'task' | 'grant' | 'agent' | 'parent';

/**
 * One revocation.
 *
 * @example
 * await guard.revoke({ taskId: 'task-001' }, { by: 'ops@example.com' });
 */
export interface Revocation {
  readonly kind: RevocationKind;
  readonly value: string;
  /** ms since the epoch; past it the entry is dropped (the tokens it names have expired by then). */
  readonly until: number;
  /** ms since the epoch. */
  readonly at: number;
  /** Who revoked. */
  readonly by?: string | undefined;
  readonly reason?: string | undefined;
}

/**
 * What a store tells its subscribers: one more entry; the complete set (after a (re)connect — the
 * local copy is replaced and trusted again); or that updates may be missed until the next `synced`.
 */
export type RevocationEvent =
  | { readonly type: 'added'; readonly entry: Revocation }
  | { readonly type: 'synced'; readonly entries: readonly Revocation[] }
  | { readonly type: 'unsynced'; readonly cause?: string | undefined };

/**
 * Storage and fan-out of revocations.
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
  close?(): Promise<void>;
}
