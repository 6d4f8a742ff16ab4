/** What an entry of an `ExpiringTable` must carry: when it stops mattering (ms, the requests' time base). */
export interface Expiring {
  expiresAt: number;
}

interface Slot<V> {
  readonly at: number;
  readonly key: string;
  readonly value: V;
}

/**
 * A map of entries that expire, for the memory stores' budgets: nothing live is ever evicted (the owner
 * refuses new entries when its budget is full), and expired entries are reclaimed WITHOUT scanning — a
 * binary min-heap orders the entries by expiry, and `sweep(now)` pops only those whose time has come
 * (amortized O(log n) per entry over its life). An entry may move its `expiresAt` later in place (a
 * sliding log that records a request): its heap slot is rescheduled lazily when it surfaces.
 */
export class ExpiringTable<V extends Expiring> {
  readonly #map = new Map<string, V>();
  readonly #heap: Slot<V>[] = [];

  /** `onDrop` is told of every entry the table lets go (expired or deleted), e.g. to account its size. */
  constructor(private readonly onDrop?: (value: V) => void) {}

  /** Entries held (live, or expired and not yet swept). */
  get size(): number {
    return this.#map.size;
  }

  /** The entry of `key` if it is live at `now`; an expired one is dropped on the way. */
  get(key: string, now: number): V | undefined {
    const value = this.#map.get(key);
    if (value === undefined || value.expiresAt > now) return value;
    this.#drop(key, value);
    return undefined;
  }

  /** Add an entry for a key that holds no live one. */
  add(key: string, value: V): void {
    const old = this.#map.get(key);
    if (old !== undefined) this.#drop(key, old);
    this.#map.set(key, value);
    this.#push({ at: value.expiresAt, key, value });
  }

  /** Drop every entry expired at `now`; reschedule those whose `expiresAt` moved later. */
  sweep(now: number): void {
    const heap = this.#heap;
    while (heap.length > 0 && (heap[0] as Slot<V>).at <= now) {
      const slot = this.#pop();
      const value = this.#map.get(slot.key);
      if (value !== slot.value) continue; // dropped or replaced since
      if (value.expiresAt <= now) this.#drop(slot.key, value);
      else this.#push({ at: value.expiresAt, key: slot.key, value });
    }
  }

  /** A lower bound of the next expiry (ms), or undefined when empty: how long a full budget stays full at least. */
  nextExpiry(): number | undefined {
    return this.#heap[0]?.at;
  }

  clear(): void {
    for (const [key, value] of this.#map) this.#drop(key, value);
    this.#heap.length = 0;
  }

  #drop(key: string, value: V): void {
    this.#map.delete(key);
    this.onDrop?.(value);
  }

  #push(slot: Slot<V>): void {
    const heap = this.#heap;
    heap.push(slot);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((heap[parent] as Slot<V>).at <= slot.at) break;
      heap[i] = heap[parent] as Slot<V>;
      i = parent;
    }
    heap[i] = slot;
  }

  #pop(): Slot<V> {
    const heap = this.#heap;
    const top = heap[0] as Slot<V>;
    const last = heap.pop() as Slot<V>;
    if (heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && (heap[right] as Slot<V>).at < (heap[left] as Slot<V>).at ? right : left;
      if ((heap[child] as Slot<V>).at >= last.at) break;
      heap[i] = heap[child] as Slot<V>;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}
