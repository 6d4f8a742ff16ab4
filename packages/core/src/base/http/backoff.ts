/** Draft "JWKS Caching and Refresh": exponential backoff on failures, starting at 1 s, at most 5 min. */
export const FIRST_BACKOFF_MS = 1_000;
/** The longest wait between two attempts after failures. */
export const MAX_BACKOFF_MS = 300_000;
const FIRST_MS = FIRST_BACKOFF_MS;
const MAX_MS = MAX_BACKOFF_MS;

/**
 * Failure backoff on the injected clock: after a failure, `blocked()` is true for 1 s, then 2 s, 4 s …
 * up to 5 min; a success resets it.
 */
export class Backoff {
  #delay = 0;
  #until = 0;

  constructor(private readonly now: () => number) {}

  /** Whether a new attempt must wait. */
  blocked(): boolean {
    return this.#delay > 0 && this.now() < this.#until;
  }

  /** Record a failure: the next attempt waits twice as long as the last one (at most 5 min). */
  fail(): void {
    this.#delay = this.#delay === 0 ? FIRST_MS : Math.min(this.#delay * 2, MAX_MS);
    this.#until = this.now() + this.#delay;
  }

  /** Milliseconds until a new attempt may be made (0 when not blocked): the `Retry-After` of a 503. */
  waitMs(): number {
    return this.blocked() ? this.#until - this.now() : 0;
  }

  /** Record a success. */
  succeed(): void {
    this.#delay = 0;
  }
}
