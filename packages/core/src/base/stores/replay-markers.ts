/**
 * The memory store's DPoP replay markers (RFC 9449 §11.1): a marker is kept until its retention ends and never
 * dropped earlier, in O(1) per insert and per reclaimed marker, with no object per marker — a map of marker →
 * expiry, and the markers in insertion order in two arrays used as a queue. A guard's markers share one
 * retention, so insertion order is expiry order and `sweep` reclaims exactly the expired ones; markers of
 * guards with different retentions sharing one store are reclaimed in insertion order (a short-lived marker
 * behind a longer-lived one is held, and counted, until that one expires — never dropped early).
 */
export class ReplayMarkers {
  readonly #expiry = new Map<string, number>();
  #markers: (string | undefined)[] = [];
  #expiries: number[] = [];
  #head = 0;

  /** Markers held (live, or expired and not yet reclaimed). */
  get size(): number {
    return this.#expiry.size;
  }

  /** Whether `marker` was seen and is still retained at `now`. */
  has(marker: string, now: number): boolean {
    const expiresAt = this.#expiry.get(marker);
    return expiresAt !== undefined && expiresAt > now;
  }

  /** Retain `marker` until `expiresAt` (ms, the requests' time base). */
  add(marker: string, expiresAt: number): void {
    this.#expiry.set(marker, expiresAt);
    this.#markers.push(marker);
    this.#expiries.push(expiresAt);
  }

  /** Reclaim the markers expired at `now`, oldest first; the queue's consumed head is dropped in bulk. */
  sweep(now: number): void {
    const markers = this.#markers;
    const expiries = this.#expiries;
    let head = this.#head;
    while (head < markers.length && (expiries[head] as number) <= now) {
      const marker = markers[head] as string;
      if (this.#expiry.get(marker) === expiries[head]) this.#expiry.delete(marker); // not added again since
      markers[head] = undefined;
      head += 1;
    }
    if (head > 1024 && head * 2 > markers.length) {
      markers.splice(0, head);
      expiries.splice(0, head);
      head = 0;
    }
    this.#head = head;
  }

  /** When the oldest held marker expires (ms), or undefined when none is held: how long a full budget stays full. */
  nextExpiry(): number | undefined {
    return this.#head < this.#expiries.length ? this.#expiries[this.#head] : undefined;
  }

  clear(): void {
    this.#expiry.clear();
    this.#markers = [];
    this.#expiries = [];
    this.#head = 0;
  }
}
