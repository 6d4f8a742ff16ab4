import type { Hold, HoldBudget, HoldCreation, HoldFilter, HoldStore, HoldUpdate, HoldVerdict } from './holds.js';

/** Options of `memoryHolds()`. */
export interface MemoryHoldsOptions {
  /** Most hold records kept in all (default 100000). */
  readonly maxHolds?: number;
  /** Most holds pending at once, all agents together (default 10000): beyond it, creation is refused. */
  readonly maxPending?: number;
}

interface Entry {
  hold: Hold;
  /** When the record itself goes away (ms, in the guard's clock). */
  readonly dropAt: number;
}

const MINUTE = 60_000;

/**
 * Holds in process memory: every operation runs to completion without interleaving, so `approve`,
 * `deny` and `consume` are atomic within one process. The default when the store brings no `holds`.
 * For several replicas use the Redis holds (`redisHolds()` of `@aap-guard/redis`).
 *
 * Bounded, and never at another agent's expense: each agent's pending holds and creation rate are capped
 * (the guard's `oversight` budget; an agent is one issuer's `agent.id`), all pending holds together by
 * `maxPending`, all records by `maxHolds`. When full, the oldest used, denied or expired records make room; a
 * pending or approved hold is never evicted — creation is refused instead (`full`). Listing goes through
 * indexes by status, issuer, agent and task.
 *
 * @example
 * createGuard({ ...options, store: { ...memoryStore(), holds: memoryHolds({ maxPending: 50_000 }) } });
 */
export function memoryHolds(options: MemoryHoldsOptions = {}): HoldStore {
  const maxHolds = positive(options.maxHolds, 100_000, 'maxHolds');
  const maxPending = positive(options.maxPending, 10_000, 'maxPending');
  const entries = new Map<string, Entry>(); // insertion order = creation order
  // `s:<status>`, `i:<issuer>`, `a:<agent id>`, `t:<task>`, `b:<issuer and agent>` (a budget's holds) → ids
  const index = new Map<string, Set<string>>();
  const created = new Map<string, number[]>(); // issuer and agent → creation times in the last minute
  const link = (key: string, id: string, add: boolean) => {
    const ids = index.get(key);
    if (add) (ids ?? index.set(key, new Set()).get(key)!).add(id);
    else if (ids?.delete(id) && ids.size === 0) index.delete(key);
  };
  const keysOf = (hold: Hold) => [
    `s:${hold.status}`,
    `i:${hold.issuer}`,
    `a:${hold.agent.id}`,
    `t:${hold.task.id}`,
    `b:${budgetOf(hold)}`,
  ];
  const put = (entry: Entry, next: Hold) => {
    link(`s:${entry.hold.status}`, next.id, false);
    entry.hold = Object.freeze(next);
    link(`s:${next.status}`, next.id, true);
  };
  const drop = (id: string) => {
    const entry = entries.get(id);
    if (!entry) return;
    entries.delete(id);
    for (const key of keysOf(entry.hold)) link(key, id, false);
  };
  const live = (id: string, now: number): Entry | undefined => {
    const entry = entries.get(id);
    if (entry && entry.dropAt <= now) return void drop(id);
    return entry;
  };
  const sweep = (now: number) => {
    for (const [id, entry] of entries) {
      if (entry.dropAt > now) break; // roughly ordered; a straggler goes on its next access
      drop(id);
    }
  };
  const pendingOf = (budget: string, now: number) => {
    let n = 0;
    for (const id of index.get(`b:${budget}`) ?? []) {
      const hold = live(id, now)?.hold;
      if (hold?.status === 'pending' && hold.expiresAt > now) n += 1;
    }
    return n;
  };
  const makeRoom = (now: number): boolean => {
    for (const [id, { hold }] of entries) {
      if (entries.size < maxHolds) return true;
      if (hold.status === 'used' || hold.status === 'denied' || hold.expiresAt <= now) drop(id);
    }
    return entries.size < maxHolds;
  };
  const decide = (id: string, verdict: HoldVerdict, to: 'approved' | 'denied'): HoldUpdate => {
    const entry = live(id, verdict.now);
    if (!entry) return { ok: false, problem: 'unknown' };
    const { hold } = entry;
    if (hold.status !== 'pending') return { ok: false, problem: hold.status, hold };
    if (verdict.now >= hold.expiresAt) return { ok: false, problem: 'expired', hold };
    const who =
      to === 'approved'
        ? { approvedBy: verdict.by, approvedAt: verdict.now }
        : { deniedBy: verdict.by, deniedAt: verdict.now };
    put(entry, { ...hold, status: to, ...who, ...(verdict.note === undefined ? {} : { note: verdict.note }) });
    return { ok: true, hold: entry.hold };
  };

  return {
    async create(hold, { retainMs, budget }) {
      const now = hold.createdAt;
      sweep(now);
      const agent = budgetOf(hold);
      const times = recent(created, agent, now);
      const refused = overBudget(budget, pendingOf(agent, now), times, now);
      if (refused) return refused;
      if ((index.get('s:pending')?.size ?? 0) >= maxPending || !makeRoom(now)) return { ok: false, problem: 'full' };
      entries.set(hold.id, { hold: Object.freeze({ ...hold }), dropAt: hold.expiresAt + Math.max(0, retainMs) });
      for (const key of keysOf(hold)) link(key, hold.id, true);
      created.set(agent, [...times, now]);
      return { ok: true };
    },
    async get(id, now) {
      return live(id, now)?.hold;
    },
    async list(filter, now) {
      const found: Hold[] = [];
      for (const id of candidates(index, filter)) {
        const hold = live(id, now)?.hold;
        if (hold && matches(hold, filter)) found.push(hold);
      }
      return found.sort((a, b) => b.createdAt - a.createdAt).slice(0, filter.limit ?? 100);
    },
    async approve(id, verdict) {
      return decide(id, verdict, 'approved');
    },
    async deny(id, verdict) {
      return decide(id, verdict, 'denied');
    },
    async consume(id, binding, now) {
      const entry = live(id, now);
      if (!entry) return { ok: false, problem: 'unknown' };
      const { hold } = entry;
      if (hold.binding !== binding) return { ok: false, problem: 'mismatch', hold };
      if (hold.status === 'used' || hold.status === 'denied') return { ok: false, problem: hold.status, hold };
      if (now >= hold.expiresAt) return { ok: false, problem: 'expired', hold };
      if (hold.status === 'pending') return { ok: false, problem: 'pending', hold };
      put(entry, { ...hold, status: 'used', usedAt: now });
      return { ok: true, hold: entry.hold };
    },
    async close() {
      entries.clear();
      index.clear();
      created.clear();
    },
  };
}

/**
 * Whose budget a hold counts against: its agent within its issuer (an agent id is unique per issuer only, and
 * another issuer's agent of the same id must never spend this one's budget).
 */
function budgetOf(hold: Hold): string {
  return JSON.stringify([hold.issuer, hold.agent.id]);
}

/** The creation times of an agent within the last minute; agents idle for a minute are forgotten. */
function recent(created: Map<string, number[]>, agent: string, now: number): readonly number[] {
  if (created.size > 10_000) {
    for (const [other, times] of created) if ((times.at(-1) ?? 0) <= now - MINUTE) created.delete(other);
  }
  const times = (created.get(agent) ?? []).filter((at) => at > now - MINUTE);
  if (times.length === 0) created.delete(agent);
  return times;
}

/** A budget refusal, or undefined when the agent may create one more hold now. */
function overBudget(
  budget: HoldBudget,
  pending: number,
  times: readonly number[],
  now: number,
): HoldCreation | undefined {
  if (pending >= budget.maxPendingPerAgent) return { ok: false, problem: 'pending' };
  if (times.length >= budget.maxPerMinute) {
    const oldest = times[times.length - budget.maxPerMinute] as number;
    return { ok: false, problem: 'rate', retryAfterMs: Math.max(1, oldest + MINUTE - now) };
  }
  return undefined;
}

/** The ids of the smallest index the filter names (all ids when it names none). */
function candidates(index: Map<string, Set<string>>, filter: HoldFilter): Iterable<string> {
  const sets = [
    filter.status === undefined ? undefined : (index.get(`s:${filter.status}`) ?? new Set<string>()),
    filter.issuer === undefined ? undefined : (index.get(`i:${filter.issuer}`) ?? new Set<string>()),
    filter.agentId === undefined ? undefined : (index.get(`a:${filter.agentId}`) ?? new Set<string>()),
    filter.taskId === undefined ? undefined : (index.get(`t:${filter.taskId}`) ?? new Set<string>()),
  ].filter((set): set is Set<string> => set !== undefined);
  if (sets.length === 0)
    return [...index.entries()].filter(([key]) => key.startsWith('s:')).flatMap(([, ids]) => [...ids]);
  return [...sets.reduce((a, b) => (b.size < a.size ? b : a))];
}

/** Whether a hold passes a `list()` filter. */
function matches(hold: Hold, filter: HoldFilter): boolean {
  return (
    (filter.status === undefined || hold.status === filter.status) &&
    (filter.issuer === undefined || hold.issuer === filter.issuer) &&
    (filter.agentId === undefined || hold.agent.id === filter.agentId) &&
    (filter.taskId === undefined || hold.task.id === filter.taskId)
  );
}

function positive(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || (value as number) < 1)
    throw new TypeError(`memoryHolds({ ${name} }) must be a positive integer`);
  return value as number;
}
