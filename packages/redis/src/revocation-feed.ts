import type { DistrustedKey, Revocation, RevocationEvent } from '@aap-guard/core/store';

/** The distrusted keys at one version of the set (every change increments it). */
export interface KeysState {
  readonly version: number;
  readonly entries: readonly DistrustedKey[];
}
import type { Cluster, Redis } from 'ioredis';

/** What the feed needs from its store. */
export interface FeedOptions {
  readonly channel: string;
  readonly retryMs: number;
  /** Read the whole persisted set. */
  readonly readAll: () => Promise<Revocation[]>;
  readonly parse: (message: string) => Revocation | undefined;
  /** Read the distrusted keys with their version. */
  readonly readKeys: () => Promise<KeysState>;
  /** A message of the distrusted keys (`DISTRUST`), or undefined for any other message. */
  readonly parseKeys: (message: string) => KeysState | undefined;
  readonly onError: ((error: Error) => void) | undefined;
}

/** The state of the feed, for health reports: a failure (with its cause), or a completed (re)sync. */
export type FeedStatus =
  { readonly type: 'down'; readonly error: Error } | { readonly type: 'synced'; readonly entries: number };

type Listener = (event: RevocationEvent) => void;

/**
 * The subscriber side of the Redis revocations: a duplicated connection subscribed to the channel and
 * a mirror of the set. On every (re)connect: subscribe, then read the full set, then report `synced`
 * — nothing published in between is lost, since the store writes and publishes in one script. The set
 * read is MERGED into the mirror, never a replacement: a revocation published after the read was taken
 * but heard before its answer arrived stays (revocations are never withdrawn, they only expire). From a
 * disconnect until the next sync: `unsynced`, with its cause (repeated while a first sync keeps failing).
 * A failed sync is retried every `retryMs`.
 */
export class RevocationFeed {
  readonly #listeners = new Set<Listener>();
  readonly #watchers = new Set<(status: FeedStatus) => void>();
  readonly #mirror = new Map<string, Revocation>();
  #sub: Redis | Cluster | undefined;
  #synced = false;
  #generation = 0;
  #closed = false;
  /** The distrusted keys last applied, their version, and the connection generation it was heard on. */
  #keys: { version: number; generation: number; entries: readonly DistrustedKey[] } = {
    version: -1,
    generation: -1,
    entries: [],
  };

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly options: FeedOptions,
  ) {}

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    if (!this.#sub && !this.#closed) this.#start();
    if (this.#synced) {
      listener({ type: 'keys', keys: this.#keys.entries });
      listener({ type: 'synced', entries: [...this.#mirror.values()] });
    }
    return () => void this.#listeners.delete(listener);
  }

  /**
   * A state of the distrusted keys (a message, the store's own write, a read): applied and told when it is
   * newer than the one applied on this connection. A full read after a (re)connect (`sync`) is applied
   * unless a newer message was heard meanwhile: a Redis restarted without persistence starts its version
   * again, and the read is then the truth.
   */
  offerKeys(state: KeysState, sync = false): void {
    const known = this.#keys;
    const same = known.generation === this.#generation;
    if (same && (sync ? state.version < known.version : state.version <= known.version)) return;
    this.#keys = { version: state.version, generation: this.#generation, entries: state.entries };
    this.#tell({ type: 'keys', keys: state.entries });
  }

  /** Be told of failures and completed syncs (health reports). Returns an unsubscribe. */
  watch(watcher: (status: FeedStatus) => void): () => void {
    this.#watchers.add(watcher);
    return () => void this.#watchers.delete(watcher);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    this.#watchers.clear();
    this.#sub?.disconnect();
  }

  #start(): void {
    const sub = subscriberOf(this.redis);
    this.#sub = sub;
    sub.on('error', (error: Error) => this.#failed(error));
    sub.on('message', (channel: string, message: string) => this.#message(channel, message));
    sub.on('ready', () => void this.#resync(++this.#generation));
    sub.on('close', () => this.#unsynced('revocation subscriber connection closed'));
    sub.on('end', () => this.#unsynced('revocation subscriber connection ended'));
    if (sub.status === 'wait') sub.connect().catch((error: Error) => this.#failed(error));
  }

  #message(channel: string, message: string): void {
    const keys = channel === this.options.channel ? this.options.parseKeys(message) : undefined;
    if (keys) return this.offerKeys(keys);
    const entry = channel === this.options.channel ? this.options.parse(message) : undefined;
    if (!entry) return;
    this.#merge(entry);
    this.#tell({ type: 'added', entry });
  }

  async #resync(generation: number): Promise<void> {
    if (this.#closed || generation !== this.#generation || !this.#sub) return;
    try {
      await this.#sub.subscribe(this.options.channel); // subscribe first, then read
      const entries = await this.options.readAll();
      const keys = await this.options.readKeys();
      if (this.#closed || generation !== this.#generation) return;
      this.offerKeys(keys, true);
      this.#prune(Date.now());
      for (const entry of entries) this.#merge(entry); // merged: entries heard meanwhile stay
      this.#synced = true;
      this.#tell({ type: 'synced', entries: [...this.#mirror.values()] });
      this.#status({ type: 'synced', entries: this.#mirror.size });
    } catch (error) {
      this.#failed(error as Error);
      if (!this.#closed && generation === this.#generation)
        setTimeout(() => void this.#resync(generation), this.options.retryMs).unref();
    }
  }

  #merge(entry: Revocation): void {
    const key = fieldOf(entry);
    const known = this.#mirror.get(key);
    if (!known || known.until < entry.until) this.#mirror.set(key, entry);
  }

  /** Drop entries past their `until` (by the wall clock; the guards' copies judge by their own clock). */
  #prune(now: number): void {
    for (const [key, entry] of this.#mirror) if (entry.until <= now) this.#mirror.delete(key);
  }

  #unsynced(cause: string): void {
    this.#generation += 1; // cancels a sync in flight
    if (this.#closed) return;
    this.#status({ type: 'down', error: new Error(cause) });
    if (!this.#synced) return;
    this.#synced = false;
    this.#tell({ type: 'unsynced', cause });
  }

  #failed(error: Error): void {
    try {
      this.options.onError?.(error);
    } catch {
      // reporting only
    }
    if (this.#closed) return;
    this.#status({ type: 'down', error });
    if (!this.#synced) this.#tell({ type: 'unsynced', cause: error?.message ?? String(error) });
  }

  #tell(event: RevocationEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // one listener's fault must not starve the others
      }
    }
  }

  #status(status: FeedStatus): void {
    for (const watcher of this.#watchers) {
      try {
        watcher(status);
      } catch {
        // reporting only
      }
    }
  }
}

/** The identity of an entry in the set (and the field of its Redis hash): kind, issuer, value. */
export function fieldOf(entry: Revocation): string {
  return JSON.stringify([entry.kind, entry.issuer ?? '', entry.value]);
}

/**
 * The subscriber connection: a duplicate of the client that does NOT resubscribe by itself on reconnect
 * (ioredis `autoResubscribe: false`) — the feed subscribes on every `ready` (then reads the set), and
 * awaits that call. ioredis's own resubscription is a promise nobody awaits: when the connection ends
 * during the ready check (a `close()` or a network fault at that moment) it rejects with "Stream isn't
 * writeable…" (offline queue disabled) as an unhandled rejection, which ends a Node process.
 * A Cluster's subscriber is a connection of its own that ioredis manages (no offline-queue rejection).
 */
function subscriberOf(redis: Redis | Cluster): Redis | Cluster {
  return redis.isCluster ? (redis as Cluster).duplicate() : (redis as Redis).duplicate({ autoResubscribe: false });
}
