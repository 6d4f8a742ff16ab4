import type { Revocation, RevocationEvent } from '@aap-guard/core';
import type { Cluster, Redis } from 'ioredis';

/** What the feed needs from its store. */
export interface FeedOptions {
  readonly channel: string;
  readonly retryMs: number;
  /** Read the whole persisted set. */
  readonly readAll: () => Promise<Revocation[]>;
  readonly parse: (message: string) => Revocation | undefined;
  readonly onError: ((error: Error) => void) | undefined;
}

type Listener = (event: RevocationEvent) => void;

/**
 * The subscriber side of the Redis revocations: a duplicated connection subscribed to the channel and
 * a mirror of the set. On every (re)connect: subscribe, then read the full set, then report `synced`
 * — nothing published in between is lost, since the store writes and publishes in one script. From a
 * disconnect until the next sync: `unsynced`. A failed sync is retried every `retryMs`.
 *
 * @example
 * const feed = new RevocationFeed(redis, { channel, retryMs: 250, readAll, parse, onError: undefined });
 * const stop = feed.subscribe((event) => console.log(event.type));
 */
export class RevocationFeed {
  readonly #listeners = new Set<Listener>();
  readonly #mirror = new Map<string, Revocation>();
  #sub: Redis | Cluster | undefined;
  #synced = false;
  #generation = 0;
  #closed = false;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly options: FeedOptions,
  ) {}

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    if (!this.#sub && !this.#closed) this.#start();
    if (this.#synced) listener({ type: 'synced', entries: [...this.#mirror.values()] });
    return () => void this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    this.#sub?.disconnect();
  }

  #start(): void {
    const sub = subscriberOf(this.redis);
    this.#sub = sub;
    sub.on('error', (error: Error) => this.#report(error));
    sub.on('message', (channel: string, message: string) => this.#message(channel, message));
    sub.on('ready', () => void this.#resync(++this.#generation));
    sub.on('close', () => this.#unsynced('subscriber connection closed'));
    sub.on('end', () => this.#unsynced('subscriber connection ended'));
    if (sub.status === 'wait') sub.connect().catch((error: Error) => this.#report(error));
  }

  #message(channel: string, message: string): void {
    const entry = channel === this.options.channel ? this.options.parse(message) : undefined;
    if (!entry) return;
    this.#mirror.set(`${entry.kind}:${entry.value}`, entry);
    this.#tell({ type: 'added', entry });
  }

  async #resync(generation: number): Promise<void> {
    if (this.#closed || generation !== this.#generation || !this.#sub) return;
    try {
      await this.#sub.subscribe(this.options.channel); // subscribe first, then read
      const entries = await this.options.readAll();
      if (this.#closed || generation !== this.#generation) return;
      this.#mirror.clear();
      for (const entry of entries) this.#mirror.set(`${entry.kind}:${entry.value}`, entry);
      this.#synced = true;
      this.#tell({ type: 'synced', entries: [...this.#mirror.values()] });
    } catch (error) {
      this.#report(error as Error);
      if (!this.#closed && generation === this.#generation) setTimeout(() => void this.#resync(generation), this.options.retryMs).unref();
    }
  }

  #unsynced(cause: string): void {
    this.#generation += 1; // cancels a sync in flight
    if (!this.#synced) return;
    this.#synced = false;
    this.#tell({ type: 'unsynced', cause });
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

  #report(error: Error): void {
    try {
      this.options.onError?.(error);
    } catch {
      // reporting only
    }
  }
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
