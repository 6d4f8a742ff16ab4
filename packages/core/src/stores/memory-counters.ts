import { ExpiringTable } from './expiring-table.js';
import type { WindowSpec, WindowState } from './store.js';

/**
 * A sliding log or a fixed-bucket counter; mutated in place. The log's live admission times are
 * `times[head…]`, ascending: times leave from the front by moving `head` (O(1)), and the array is compacted
 * once the dead prefix outweighs the live part, so its memory stays O(limit) and the copying amortized O(1).
 */
type Counter = SlidingLog | { count: number; expiresAt: number };
interface SlidingLog {
  times: number[];
  head: number;
  expiresAt: number;
}

/** One window evaluated, before anything is recorded. */
export interface Probe {
  readonly spec: WindowSpec;
  readonly key: string;
  /** The live counter, or undefined when this request would create it. */
  readonly entry: Counter | undefined;
  readonly count: number;
  /** When this window would admit a request (≤ now: admits now). */
  readonly admitAt: number;
  /** When this window regains quota, if it admits this request. */
  readonly resetAt: number;
}

/**
 * The rate-limit counters of the memory store, within a budget: at most `maxKeys` counters and
 * `maxEntries` entries in all (a counter costs 1, a sliding log 1 + its timestamps). A live counter is
 * never evicted: `fits()` says whether a request's new keys and timestamps fit, and the store refuses
 * the request when they do not. Counters go away when their window has passed (swept by expiry).
 *
 * @example
 * const counters = new MemoryCounters(100_000, 4_000_000);
 * const probes = consumeRequest.windows.map((spec: WindowSpec) => counters.probe(spec, now));
 * if (counters.fits(probes)) for (const p of probes) counters.record(p, now);
 */
export class MemoryCounters {
  readonly #table = new ExpiringTable<Counter>((entry) => (this.#weight -= sizeOf(entry)));
  #weight = 0;

  constructor(
    readonly maxKeys: number,
    readonly maxEntries: number,
  ) {}

  /** Drop the counters whose window has passed at `now`. */
  sweep(now: number): void {
    this.#table.sweep(now);
  }

  /**
   * Evaluate one window. A sliding log never grows past `maxEntries - 1` timestamps: a limit above it is
   * counted as that, granting less than the token says rather than a log the budget cannot hold.
   */
  probe(spec: WindowSpec, now: number): Probe {
    if (spec.mode === 'fixed') {
      const bucket = Math.floor(now / spec.windowMs);
      const key = `${spec.key}:${bucket}`;
      const entry = this.#table.get(key, now);
      const count = entry && 'count' in entry ? entry.count : 0;
      const end = (bucket + 1) * spec.windowMs;
      return { spec, key, entry, count, admitAt: count >= spec.limit ? end : now, resetAt: end };
    }
    const entry = this.#table.get(spec.key, now);
    const log = entry && 'times' in entry ? entry : undefined;
    const head = log ? leave(log, now - spec.windowMs) : 0;
    if (log && head > log.head) {
      this.#weight -= head - log.head;
      log.head = head;
      compact(log);
    }
    const times = log?.times ?? NO_TIMES;
    const first = log?.head ?? 0;
    const count = times.length - first;
    const limit = Math.min(spec.limit, this.maxEntries - 1);
    // The (count - limit + 1)-th oldest must leave before a request fits: at its time + windowMs.
    const admitAt = count >= limit ? (times[first + count - limit] as number) + spec.windowMs : now;
    const resetAt = (count > 0 ? Math.min(times[first] as number, now) : now) + spec.windowMs;
    return { spec, key: spec.key, entry, count, admitAt, resetAt };
  }

  /** Whether recording these probes stays within both budgets. */
  fits(probes: readonly Probe[]): boolean {
    let keys = 0;
    let entries = 0;
    for (const p of probes) {
      if (!p.entry) keys += 1;
      entries += (p.entry ? 0 : 1) + (p.spec.mode === 'sliding' ? 1 : 0);
    }
    return this.#table.size + keys <= this.maxKeys && this.#weight + entries <= this.maxEntries;
  }

  /** A lower bound of when a counter goes away (ms). */
  nextExpiry(): number | undefined {
    return this.#table.nextExpiry();
  }

  /** Count this request in the window of `p`. */
  record(p: Probe, now: number): void {
    if (p.spec.mode === 'fixed') {
      if (p.entry && 'count' in p.entry) p.entry.count += 1;
      else this.#add(p.key, { count: 1, expiresAt: p.resetAt });
      return;
    }
    const entry: SlidingLog = p.entry && 'times' in p.entry ? p.entry : { times: [], head: 0, expiresAt: 0 };
    const times = entry.times;
    if (times.length === entry.head || (times[times.length - 1] as number) <= now) times.push(now);
    else times.splice(after(times, entry.head, now), 0, now); // a replica's (or the injected) clock went back
    entry.expiresAt = (times[times.length - 1] as number) + p.spec.windowMs;
    if (entry === p.entry) this.#weight += 1;
    else this.#add(p.key, entry);
  }

  /** The state of the window of `p` after this request (admitted or not). */
  state(p: Probe, now: number, admitted: boolean): WindowState {
    const used = p.count + (admitted ? 1 : 0);
    return { limit: p.spec.limit, remaining: Math.max(0, p.spec.limit - used), resetMs: Math.max(0, p.resetAt - now), windowMs: p.spec.windowMs };
  }

  clear(): void {
    this.#table.clear();
  }

  #add(key: string, entry: Counter): void {
    this.#table.add(key, entry);
    this.#weight += sizeOf(entry);
  }
}

/** A counter's share of `maxEntries`: its live timestamps, plus one for the key. */
const sizeOf = (entry: Counter): number => ('times' in entry ? entry.times.length - entry.head : 0) + 1;

const NO_TIMES: readonly number[] = Object.freeze([]);

/** The index of the first time of `times[from…]` above `at` (binary search: O(log n)). */
function after(times: readonly number[], from: number, at: number): number {
  let low = from;
  let high = times.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((times[mid] as number) <= at) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The new head of a log once the times at or before `horizon` have left the window. */
const leave = (log: SlidingLog, horizon: number): number =>
  log.head < log.times.length && (log.times[log.head] as number) <= horizon ? after(log.times, log.head, horizon) : log.head;

/** Drop the dead prefix once it is at least as long as the live part (and not tiny): amortized O(1). */
function compact(log: SlidingLog): void {
  if (log.head >= 64 && log.head * 2 >= log.times.length) {
    log.times = log.times.slice(log.head);
    log.head = 0;
  }
}
