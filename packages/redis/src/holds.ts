import { InfrastructureError, type Hold, type HoldFilter, type HoldProblem, type HoldStore, type HoldUpdate, type HoldVerdict } from '@aap-guard/core';
import type { Cluster, Redis } from 'ioredis';
import { HOLD_CONSUME_SCRIPT, HOLD_DECIDE_SCRIPT } from './hold-scripts.js';
import { withTimeout } from './with-timeout.js';

/** Options of `redisHolds()`. */
export interface RedisHoldsOptions {
  /** Prepended to every key (default `aap:`); must not contain `{` or `}`. */
  readonly prefix?: string;
  /** Bound on one Redis call in ms (default 500). */
  readonly timeoutMs?: number;
}

type Script = (key: string, ...args: (string | number)[]) => Promise<unknown>;
const NUMBERS = new Set(['createdAt', 'expiresAt', 'approvedAt', 'deniedAt', 'usedAt']);
const PROBLEMS = new Set<string>(['unknown', 'mismatch', 'expired', 'pending', 'approved', 'denied', 'used']);

/**
 * Holds in Redis, shared by every replica: one hash per hold (`<prefix>hold:<id>`) with a `PEXPIRE`
 * (expiry + retention), and a sorted-set index for `list()`. Approve, deny and consume are Lua scripts
 * (registered once with `defineCommand`), so of several racing retries on several replicas exactly one
 * wins. Works on `new Redis()` and `new Redis.Cluster()` (each script touches one key).
 *
 * @example
 * // redisStore(redis) includes these already; standalone, e.g. over a memory store for rate limits:
 * const store = { ...memoryStore(), holds: redisHolds(redis) };
 */
export function redisHolds(redis: Redis | Cluster, options: RedisHoldsOptions = {}): HoldStore {
  const prefix = options.prefix ?? 'aap:';
  if (typeof prefix !== 'string' || /[{}]/.test(prefix)) throw new TypeError('redisHolds({ prefix }) must be a string without { or }');
  const timeoutMs = options.timeoutMs ?? 500;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new TypeError('redisHolds({ timeoutMs }) must be a positive number');
  const consumeScript = script(redis, 'aapGuardHoldConsume', HOLD_CONSUME_SCRIPT);
  const decideScript = script(redis, 'aapGuardHoldDecide', HOLD_DECIDE_SCRIPT);
  const key = (id: string): string => `${prefix}hold:${id}`;
  const index = `${prefix}holds`;
  const call = <T>(what: string, promise: Promise<T>): Promise<T> =>
    withTimeout(promise, timeoutMs).catch((error: unknown) => {
      throw new InfrastructureError('store_unavailable', `redis holds ${what} failed: ${(error as Error)?.message ?? error}`, { cause: error });
    });
  const decide = async (id: string, verdict: HoldVerdict, to: 'approved' | 'denied'): Promise<HoldUpdate> =>
    update(await call(to, decideScript(key(id), to, verdict.by, verdict.now, verdict.note ?? '')));

  return {
    async create(hold, retainMs) {
      const dropAt = hold.expiresAt + Math.max(0, retainMs);
      const ttl = Math.max(1, Math.ceil(dropAt - hold.createdAt));
      await call('create', redis.multi().hset(key(hold.id), fieldsOf(hold)).pexpire(key(hold.id), ttl).exec());
      await call('index', redis.zadd(index, dropAt, hold.id));
    },
    async get(id) {
      return holdOf(await call('get', redis.hgetall(key(id)))); // the record lives until its PEXPIRE
    },
    async list(filter: HoldFilter, now) {
      await call('list', redis.zremrangebyscore(index, '-inf', now));
      const ids = await call('list', redis.zrevrange(index, 0, 999));
      const found = await call('list', Promise.all(ids.map((id) => redis.hgetall(key(id)))));
      return found
        .map(holdOf)
        .filter((hold): hold is Hold => hold !== undefined && passes(hold, filter))
        .sort((a, b) => b.createdAt - a.createdAt)
        .slice(0, filter.limit ?? 100);
    },
    approve: (id, verdict) => decide(id, verdict, 'approved'),
    deny: (id, verdict) => decide(id, verdict, 'denied'),
    async consume(id, binding, now) {
      return update(await call('consume', consumeScript(key(id), binding, now)));
    },
  };
}

function script(redis: Redis | Cluster, name: string, lua: string): Script {
  const client = redis as unknown as Record<string, unknown>;
  if (typeof client[name] !== 'function') redis.defineCommand(name, { numberOfKeys: 1, lua });
  return (client[name] as Script).bind(redis);
}

function fieldsOf(hold: Hold): Record<string, string> {
  const fields: Record<string, string> = {};
  const flat = { ...hold, agentId: hold.agent.id, operator: hold.agent.operator, taskId: hold.task.id } as Record<string, unknown>;
  for (const [name, value] of Object.entries(flat)) {
    if (typeof value === 'string' || typeof value === 'number') fields[name] = String(value);
  }
  return fields;
}

function holdOf(fields: Record<string, string>): Hold | undefined {
  if (!fields || typeof fields.id !== 'string') return undefined;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) out[name] = NUMBERS.has(name) ? Number(value) : value;
  const { agentId, operator, taskId, ...rest } = out;
  return Object.freeze({ ...rest, agent: { id: agentId, operator }, task: { id: taskId } }) as unknown as Hold;
}

function update(reply: unknown): HoldUpdate {
  if (!Array.isArray(reply) || typeof reply[0] !== 'string') throw new InfrastructureError('store_unavailable', 'redis holds: unexpected script reply');
  const [outcome, ...flat] = reply as string[];
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i] as string] = flat[i + 1] as string;
  const hold = holdOf(fields);
  if (outcome === 'ok' && hold) return { ok: true, hold };
  if (!PROBLEMS.has(outcome as string)) throw new InfrastructureError('store_unavailable', 'redis holds: unexpected script outcome');
  return { ok: false, problem: outcome as HoldProblem, hold };
}

function passes(hold: Hold, filter: HoldFilter): boolean {
  return (
    (filter.status === undefined || hold.status === filter.status) &&
    (filter.agentId === undefined || hold.agent.id === filter.agentId) &&
    (filter.taskId === undefined || hold.task.id === filter.taskId)
  );
}
