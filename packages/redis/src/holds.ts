import { createHash } from 'node:crypto';
import {
  InfrastructureError,
  type Hold,
  type HoldFilter,
  type HoldProblem,
  type HoldStatus,
  type HoldStore,
  type HoldUpdate,
  type HoldVerdict,
} from '@aap-guard/core/store';
import type { Cluster, Redis } from 'ioredis';
import { HOLD_CONSUME } from './scripts/hold-consume.js';
import { HOLD_CREATE } from './scripts/hold-create.js';
import { HOLD_DECIDE } from './scripts/hold-decide.js';
import { registerScript } from './scripts/index.js';
import { withTimeout } from './with-timeout.js';

/** Options of `redisHolds()`. */
export interface RedisHoldsOptions {
  /** Prepended to every key (default `aap:`); must not contain `{` or `}`. */
  readonly prefix?: string;
  /** Bound on one Redis call in ms (default 500). */
  readonly timeoutMs?: number;
}

const NUMBERS = new Set(['createdAt', 'expiresAt', 'approvedAt', 'deniedAt', 'usedAt']);
const PROBLEMS = new Set<string>(['unknown', 'mismatch', 'expired', 'pending', 'approved', 'denied', 'used']);
/** Hold ids are examined at most this many at a time, and this many in all, when listing through an index. */
const PAGE = 200;
const MAX_SCANNED = 5000;

/**
 * Holds in Redis, shared by every replica. A hold id starts with its agent's tag (core `holdTag`), which
 * names the agent's partition — one Cluster slot holding the hold's hash (`PEXPIRE`: expiry + retention)
 * and the agent's budget keys (pending holds, creations in the last minute) and index. The budget keys name
 * the hold's issuer with the agent id (an agent id is unique per issuer only): another issuer's agent with
 * the same id never spends this one's budget. Creating, approving,
 * denying and consuming are Lua scripts over that partition (registered once with `defineCommand`), so the
 * budget is checked and counted atomically with each creation, and of several racing retries on several
 * replicas exactly one wins. Listing goes through indexes — by agent (in its partition), by task, by issuer
 * and by status (each in its own slot, updated after the script and verified against the hash on read) — so
 * any agent's holds are found whatever the volume of others'. Works on `new Redis()` and `new Redis.Cluster()`.
 *
 * @example
 * // redisStore(redis) includes these already; standalone, e.g. over a memory store for rate limits:
 * const store = { ...memoryStore(), holds: redisHolds(redis) };
 */
export function redisHolds(redis: Redis | Cluster, options: RedisHoldsOptions = {}): HoldStore {
  const prefix = options.prefix ?? 'aap:';
  if (typeof prefix !== 'string' || /[{}]/.test(prefix))
    throw new TypeError('redisHolds({ prefix }) must be a string without { or }');
  const timeoutMs = options.timeoutMs ?? 500;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new TypeError('redisHolds({ timeoutMs }) must be a positive number');
  const createScript = registerScript(redis, HOLD_CREATE);
  const consumeScript = registerScript(redis, HOLD_CONSUME);
  const decideScript = registerScript(redis, HOLD_DECIDE);
  const keys = holdKeys(prefix);
  const call = <T>(what: string, promise: Promise<T>): Promise<T> =>
    withTimeout(promise, timeoutMs).catch((error: unknown) => {
      throw new InfrastructureError(
        'store_unavailable',
        `redis holds ${what} failed: ${(error as Error)?.message ?? error}`,
        { cause: error },
      );
    });
  /** The global indexes follow the hold's status; a failure here only delays what a listing finds (it verifies). */
  const reindex = (id: string, from: HoldStatus | undefined, to: HoldStatus, dropAt: number): Promise<unknown> =>
    Promise.all([from && redis.zrem(keys.status(from), id), redis.zadd(keys.status(to), dropAt, id)]).catch(
      () => undefined,
    );
  const decide = async (id: string, verdict: HoldVerdict, to: 'approved' | 'denied'): Promise<HoldUpdate> => {
    const [agentId, issuer] = await call('get', redis.hmget(keys.hold(id), 'agentId', 'issuer'));
    if (agentId === null || agentId === undefined) return { ok: false, problem: 'unknown' };
    const pending = keys.budget(id, issuer ?? '', agentId, 'pending');
    const decided = decideScript(keys.hold(id), pending, to, verdict.by, verdict.now, verdict.note ?? '');
    const result = update(await call(to, decided));
    if (result.ok) await reindex(id, 'pending', to, dropAtOf(result.hold));
    return result;
  };

  return {
    async create(hold, { retainMs, budget }) {
      const dropAt = hold.expiresAt + Math.max(0, retainMs);
      const { id, issuer, agent } = hold;
      const reply = await call(
        'create',
        createScript(
          keys.hold(id),
          keys.budget(id, issuer, agent.id, 'pending'),
          keys.budget(id, issuer, agent.id, 'created'),
          keys.agent(id, agent.id),
          hold.createdAt,
          hold.id,
          hold.expiresAt,
          dropAt,
          budget.maxPendingPerAgent,
          budget.maxPerMinute,
          ...fieldsOf(hold, dropAt),
        ),
      );
      const [outcome, wait] = Array.isArray(reply) ? (reply as unknown[]) : [];
      if (outcome === 'pending') return { ok: false, problem: 'pending' };
      if (outcome === 'rate') return { ok: false, problem: 'rate', retryAfterMs: Number(wait) };
      if (outcome !== 'ok') throw new InfrastructureError('store_unavailable', 'redis holds: unexpected create reply');
      const indexes = [keys.task(hold.task.id), keys.issuer(issuer), keys.all];
      const indexed = indexes.map((key) => redis.zadd(key, dropAt, id));
      await Promise.all([reindex(id, undefined, 'pending', dropAt), ...indexed]).catch(() => undefined);
      return { ok: true };
    },
    async get(id) {
      return holdOf(await call('get', redis.hgetall(keys.hold(id)))); // the record lives until its PEXPIRE
    },
    async list(filter: HoldFilter, now) {
      const limit = filter.limit ?? 100;
      const index = await indexOf(filter);
      if (index === undefined) return [];
      await call('list', redis.zremrangebyscore(index, '-inf', now));
      const found: Hold[] = [];
      for (let offset = 0; found.length < limit && offset < MAX_SCANNED; offset += PAGE) {
        const ids = await call('list', redis.zrevrange(index, offset, offset + PAGE - 1));
        const holds = await call('list', Promise.all(ids.map((id) => redis.hgetall(keys.hold(id)))));
        for (const hold of holds.map(holdOf)) if (hold && passes(hold, filter)) found.push(hold);
        if (ids.length < PAGE) break;
      }
      return found.sort((a, b) => b.createdAt - a.createdAt).slice(0, limit);
    },
    approve: (id, verdict) => decide(id, verdict, 'approved'),
    deny: (id, verdict) => decide(id, verdict, 'denied'),
    async consume(id, binding, now) {
      const reply = await call('consume', consumeScript(keys.hold(id), binding, now, Date.now() + timeoutMs));
      if (Array.isArray(reply) && reply[0] === 'late')
        throw new InfrastructureError('store_unavailable', 'redis holds consume ran after its deadline: not applied');
      const result = update(reply);
      if (result.ok) await reindex(id, 'approved', 'used', dropAtOf(result.hold));
      return result;
    },
  };

  /** The most selective index the filter names: the agent's (one slot), the task's, the issuer's, the status', all. */
  async function indexOf(filter: HoldFilter): Promise<string | undefined> {
    if (filter.agentId !== undefined) return keys.agent(undefined, filter.agentId);
    if (filter.taskId !== undefined) return keys.task(filter.taskId);
    if (filter.issuer !== undefined) return keys.issuer(filter.issuer);
    return filter.status !== undefined ? keys.status(filter.status) : keys.all;
  }
}

/**
 * Key names. The agent's keys use the tag of its hold ids and the full hash of its id (tags may collide;
 * budgets may not); its budget keys hash its issuer with its id — `budget:<hash>:pending|created` (before
 * budgets were scoped by issuer: `agent:<hash>:pending|created`, left to expire). The agent's listing index
 * (`agent:<hash>:all`) spans issuers: a listing by agent id tells them apart by `Hold.issuer`.
 */
function holdKeys(prefix: string) {
  const hash = (value: string) => createHash('sha256').update(value).digest('base64url');
  const tagOf = (id: string | undefined, agentId: string) => (id ?? hash(agentId)).slice(0, 8);
  return {
    hold: (id: string) => `${prefix}{h:${id.slice(0, 8)}}:hold:${id}`,
    agent: (id: string | undefined, agentId: string) => `${prefix}{h:${tagOf(id, agentId)}}:agent:${hash(agentId)}:all`,
    budget: (id: string, issuer: string, agentId: string, what: 'pending' | 'created') =>
      `${prefix}{h:${tagOf(id, agentId)}}:budget:${hash(JSON.stringify([issuer, agentId]))}:${what}`,
    task: (taskId: string) => `${prefix}{holds}:task:${hash(taskId)}`,
    issuer: (issuer: string) => `${prefix}{holds}:issuer:${hash(issuer)}`,
    status: (status: HoldStatus) => `${prefix}{holds}:status:${status}`,
    all: `${prefix}{holds}:all`,
  };
}

function fieldsOf(hold: Hold, dropAt: number): string[] {
  const flat: Record<string, unknown> = {
    ...hold,
    agentId: hold.agent.id,
    operator: hold.agent.operator,
    taskId: hold.task.id,
    taskPurpose: hold.task.purpose,
    chain: hold.chain && JSON.stringify(hold.chain),
    preview: hold.preview && JSON.stringify(hold.preview),
    operation: hold.operation && JSON.stringify(hold.operation),
    dropAt,
  };
  const out: string[] = [];
  for (const [name, value] of Object.entries(flat))
    if (typeof value === 'string' || typeof value === 'number') out.push(name, String(value));
  return out;
}

function holdOf(fields: Record<string, string>): Hold | undefined {
  if (!fields || typeof fields.id !== 'string') return undefined;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) out[name] = NUMBERS.has(name) ? Number(value) : value;
  const { agentId, operator, taskId, taskPurpose, chain, preview, operation, dropAt: _dropAt, ...rest } = out;
  const parsedChain = typeof chain === 'string' ? (JSON.parse(chain) as string[]) : undefined;
  const held: Record<string, unknown> = {
    ...rest,
    agent: { id: agentId, operator },
    task: { id: taskId, purpose: taskPurpose },
    chain: parsedChain,
  };
  if (typeof preview === 'string') held.preview = JSON.parse(preview) as unknown;
  if (typeof operation === 'string') held.operation = JSON.parse(operation) as unknown;
  return Object.freeze(held) as unknown as Hold;
}

function dropAtOf(hold: Hold): number {
  return hold.expiresAt + (hold.expiresAt - hold.createdAt); // retention = ttl (the guard's retainMs)
}

function update(reply: unknown): HoldUpdate {
  if (!Array.isArray(reply) || typeof reply[0] !== 'string')
    throw new InfrastructureError('store_unavailable', 'redis holds: unexpected script reply');
  const [outcome, ...flat] = reply as string[];
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i] as string] = flat[i + 1] as string;
  const hold = holdOf(fields);
  if (outcome === 'ok' && hold) return { ok: true, hold };
  if (!PROBLEMS.has(outcome as string))
    throw new InfrastructureError('store_unavailable', 'redis holds: unexpected script outcome');
  return { ok: false, problem: outcome as HoldProblem, hold };
}

function passes(hold: Hold, filter: HoldFilter): boolean {
  return (
    (filter.status === undefined || hold.status === filter.status) &&
    (filter.issuer === undefined || hold.issuer === filter.issuer) &&
    (filter.agentId === undefined || hold.agent.id === filter.agentId) &&
    (filter.taskId === undefined || hold.task.id === filter.taskId)
  );
}
