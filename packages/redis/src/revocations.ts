import {
  InfrastructureError,
  MAX_ANCESTORS,
  type DistrustedKey,
  type LineageInput,
  type Revocation,
  type RevocationKind,
  type RevocationStore,
  type TokenRecordInput,
} from '@aap-guard/core/store';
import type { Cluster, Redis } from 'ioredis';
import { healthPart } from './connection-health.js';
import { RevocationFeed, fieldOf, type KeysState } from './revocation-feed.js';
import { DISTRUST, DISTRUSTED } from './scripts/distrust.js';
import { registerScript } from './scripts/index.js';
import { LINEAGE, RECORD, capabilitiesKey, lineageKey } from './scripts/lineage.js';
import { REVOKE } from './scripts/revoke.js';
import { withTimeout } from './with-timeout.js';

/** Options of `redisRevocations()`. */
export interface RedisRevocationsOptions {
  /** Prepended to keys and the channel (default `aap:`); must not contain `{` or `}`. */
  readonly prefix?: string;
  /** Bound on one Redis call in ms (default 500). */
  readonly timeoutMs?: number;
  /** Wait between attempts to resynchronize after a failure, in ms (default 250). */
  readonly retryMs?: number;
  /** Told about errors of the subscriber connection (always handled). */
  readonly onError?: (error: Error) => void;
}

const KINDS = new Set<RevocationKind>(['jti', 'task', 'grant', 'agent', 'parent', 'sub', 'operator']);

/**
 * Revocations in Redis: persisted in a hash with expiry (the latest `until`), fanned out on a pub/sub
 * channel through a duplicated subscriber connection. On every (re)connect of the subscriber it
 * subscribes first, then reads the full set (merged into what it heard meanwhile), and only then reports
 * `synced`; from a disconnect until then it reports `unsynced` (the guard fails closed: 503
 * `store_unavailable`). The subscriber opens on the first `subscribe()`; `close()` ends it (your client
 * stays yours). Entries are scoped by issuer (field `[kind, issuer, value]`).
 *
 * Lineage of delegated tokens (`lineage()`): one script call records `jti → parent_jti` and returns the
 * token's known ancestors (see scripts/lineage.ts; Cluster-safe through one hash tag).
 * Token records (`record()`): the same, plus each token's capabilities, for the breadth check of its children.
 * Distrusted signing keys (`distrustKey()`, `trustKey()`): a hash without expiry — a key stays distrusted
 * until lifted, across restarts of the guards — and a version; each change publishes the whole new set on
 * the revocation channel, and every (re)sync reads it again (scripts/distrust.ts).
 * `attach()` reports the subscriber's failures and resyncs to the guard's logger, once per state change.
 *
 * @example
 * // redisStore(redis) includes these already; standalone, e.g. over a memory store for rate limits:
 * const store = { ...memoryStore(), revocations: redisRevocations(redis) };
 */
export function redisRevocations(redis: Redis | Cluster, options: RedisRevocationsOptions = {}): RevocationStore {
  const { prefix, timeoutMs, retryMs } = settings(options);
  const hash = `${prefix}{revocations}`;
  const zset = `${prefix}{revocations}:until`;
  const channel = `${prefix}revocations`;
  const addScript = registerScript(redis, REVOKE);
  const lineageScript = registerScript(redis, LINEAGE);
  const recordScript = registerScript(redis, RECORD);
  const distrustScript = registerScript(redis, DISTRUST);
  const distrustedScript = registerScript(redis, DISTRUSTED);
  const keysHash = `${prefix}{revocations}:keys`;
  const keysVersion = `${prefix}{revocations}:keys:v`;
  const readKeys = async (): Promise<KeysState> => {
    const state = keysStateOf(await withTimeout(distrustedScript(keysHash, keysVersion), timeoutMs));
    if (!state) throw new InfrastructureError('store_unavailable', 'redis distrusted keys: unexpected script reply');
    return state;
  };
  const readAll = async (): Promise<Revocation[]> => {
    const fields = await withTimeout(redis.hgetall(hash), timeoutMs);
    return Object.values(fields)
      .map(parse)
      .filter((entry): entry is Revocation => entry !== undefined);
  };
  const feed = new RevocationFeed(redis, {
    channel,
    retryMs,
    readAll,
    parse,
    readKeys,
    parseKeys: keysStateOf,
    onError: options.onError,
  });
  const changeKeys = async (
    op: 'add' | 'del',
    issuer: string,
    kid: string,
    json: string,
  ): Promise<KeysState & { changed: boolean }> => {
    let reply: unknown;
    try {
      reply = await withTimeout(
        distrustScript(keysHash, keysVersion, op, JSON.stringify([issuer, kid]), json, channel),
        timeoutMs,
      );
    } catch (error) {
      throw failed('distrust', error);
    }
    const state = keysStateOf(reply);
    if (!state) throw new InfrastructureError('store_unavailable', 'redis distrust: unexpected script reply');
    feed.offerKeys(state); // this replica at once; the others by the message
    return { ...state, changed: changedOf(reply) };
  };
  const failed = (what: string, error: unknown): InfrastructureError =>
    new InfrastructureError('store_unavailable', `redis ${what} failed: ${(error as Error)?.message ?? error}`, {
      cause: error,
    });

  return {
    async add(entry) {
      try {
        await withTimeout(
          addScript(hash, zset, fieldOf(entry), JSON.stringify(entry), entry.until, entry.at, channel),
          timeoutMs,
        );
      } catch (error) {
        throw failed('revoke', error);
      }
    },
    async snapshot(now) {
      try {
        return (await readAll()).filter((entry) => entry.until > now);
      } catch (error) {
        throw failed('revocations read', error);
      }
    },
    async lineage(token: LineageInput) {
      const keys = [lineageKey(prefix, token.issuer, token.parent)];
      if (token.jti !== undefined && token.until > token.now) keys.push(lineageKey(prefix, token.issuer, token.jti));
      let reply: unknown;
      try {
        reply = await withTimeout(
          lineageScript(keys.length, ...keys, token.parent, Math.ceil(token.until - token.now), MAX_ANCESTORS),
          timeoutMs,
        );
      } catch (error) {
        throw failed('lineage', error);
      }
      return chainOf(reply);
    },
    async record(token: TokenRecordInput) {
      const own = token.jti !== undefined && token.until > token.now;
      const keys = own
        ? [
            lineageKey(prefix, token.issuer, token.jti as string),
            capabilitiesKey(prefix, token.issuer, token.jti as string),
          ]
        : [];
      if (token.parent !== undefined)
        keys.push(lineageKey(prefix, token.issuer, token.parent), capabilitiesKey(prefix, token.issuer, token.parent));
      const ttl = Math.max(1, Math.ceil(token.until - token.now));
      let reply: unknown;
      try {
        reply = await withTimeout(
          recordScript(
            keys.length,
            ...keys,
            own ? 1 : 0,
            token.parent === undefined ? 0 : 1,
            token.parent ?? '',
            ttl,
            MAX_ANCESTORS,
            token.capabilities,
          ),
          timeoutMs,
        );
      } catch (error) {
        throw failed('record', error);
      }
      return recordOf(reply);
    },
    async distrustKey(key: DistrustedKey) {
      await changeKeys('add', key.issuer, key.kid, JSON.stringify(key));
    },
    async trustKey(issuer: string, kid: string) {
      return (await changeKeys('del', issuer, kid, '')).changed;
    },
    async distrustedKeys() {
      try {
        return (await readKeys()).entries;
      } catch (error) {
        throw error instanceof InfrastructureError ? error : failed('distrusted keys read', error);
      }
    },
    subscribe: (listener) => feed.subscribe(listener),
    attach(runtime) {
      const part = healthPart(runtime);
      feed.watch((status) => {
        if (status.type === 'down')
          part.down(
            status.error,
            'Redis revocation subscriber lost: the revocation list may be stale until it is read again',
          );
        else part.up(`Redis reachable again; revocation list resynchronized (${status.entries} entries)`);
      });
    },
    close: () => feed.close(),
  };
}

function chainOf(reply: unknown): readonly string[] {
  try {
    const chain = JSON.parse(String(reply)) as unknown;
    if (Array.isArray(chain) && chain.length > 0 && chain.every((jti) => typeof jti === 'string'))
      return chain as string[];
  } catch {
    // fall through
  }
  throw new InfrastructureError('store_unavailable', 'redis lineage: unexpected script reply');
}

/** `{ chain, parent }` of `RECORD` (an empty chain comes back as `{}`: Lua's empty table). */
function recordOf(reply: unknown): { chain: readonly string[]; parent: string | undefined } {
  try {
    const value = JSON.parse(String(reply)) as { chain?: unknown; parent?: unknown };
    const chain = Array.isArray(value.chain) ? value.chain : isEmptyObject(value.chain) ? [] : undefined;
    const parent = value.parent === false ? undefined : value.parent;
    if (chain && chain.every((jti) => typeof jti === 'string') && (parent === undefined || typeof parent === 'string'))
      return { chain: chain as string[], parent };
  } catch {
    // fall through
  }
  throw new InfrastructureError('store_unavailable', 'redis record: unexpected script reply');
}

/** The distrusted keys of a `DISTRUST`/`DISTRUSTED` reply or message; undefined for anything else. */
/** The script's `keys.changed` (1: the key was added or removed), read from the parsed reply, never a pattern. */
function changedOf(message: unknown): boolean {
  try {
    return (JSON.parse(String(message)) as { keys?: { changed?: unknown } }).keys?.changed === 1;
  } catch {
    return false;
  }
}

function keysStateOf(message: unknown): KeysState | undefined {
  if (typeof message !== 'string' || !message.startsWith('{"keys"')) return undefined;
  try {
    const { keys } = JSON.parse(message) as { keys?: { v?: unknown; entries?: unknown } };
    if (!keys || typeof keys.v !== 'number') return undefined;
    const raw = Array.isArray(keys.entries) ? keys.entries : isEmptyObject(keys.entries) ? [] : undefined;
    if (!raw) return undefined;
    const entries = raw.map((json) => distrustedKeyOf(json)).filter((key): key is DistrustedKey => key !== undefined);
    return { version: keys.v, entries: Object.freeze(entries) };
  } catch {
    return undefined;
  }
}

function distrustedKeyOf(json: unknown): DistrustedKey | undefined {
  try {
    const value = JSON.parse(String(json)) as Partial<DistrustedKey>;
    if (!value || typeof value.issuer !== 'string' || typeof value.kid !== 'string' || typeof value.at !== 'number')
      return undefined;
    return Object.freeze(value as DistrustedKey);
  } catch {
    return undefined;
  }
}

const isEmptyObject = (value: unknown): boolean =>
  value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0;

function parse(json: string): Revocation | undefined {
  try {
    const value = JSON.parse(json) as Partial<Revocation>;
    if (!value || !KINDS.has(value.kind as RevocationKind) || typeof value.value !== 'string') return undefined;
    if (typeof value.until !== 'number' || typeof value.at !== 'number') return undefined;
    if (value.issuer !== undefined && typeof value.issuer !== 'string') return undefined;
    return Object.freeze(value as Revocation);
  } catch {
    return undefined;
  }
}

function settings(options: RedisRevocationsOptions): { prefix: string; timeoutMs: number; retryMs: number } {
  const prefix = options.prefix ?? 'aap:';
  if (typeof prefix !== 'string' || /[{}]/.test(prefix))
    throw new TypeError('redisRevocations({ prefix }) must be a string without { or }');
  const timeoutMs = options.timeoutMs ?? 500;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new TypeError('redisRevocations({ timeoutMs }) must be a positive number');
  const retryMs = options.retryMs ?? 250;
  if (!Number.isFinite(retryMs) || retryMs <= 0)
    throw new TypeError('redisRevocations({ retryMs }) must be a positive number');
  return { prefix, timeoutMs, retryMs };
}
