import type { Cluster, Redis } from 'ioredis';

/**
 * A Lua script of the Redis stores, as its module in this folder documents it: the command name it is
 * registered under, how many of its arguments are KEYS, and its source.
 */
export interface LuaScript {
  /** The ioredis command name (`redis.aapGuardConsume(…)`); a store may register it under another. */
  readonly name: string;
  /** How many leading arguments are KEYS; `undefined`: the key count is the call's first argument. */
  readonly keys: number | undefined;
  readonly lua: string;
}

/** A registered script: KEYS then ARGV (after the key count when the script's `keys` is `undefined`). */
export type ScriptCall = (...args: (string | number)[]) => Promise<unknown>;

/**
 * Register `script` on the client (ioredis `defineCommand`, once per client and name: a second store on
 * the same client reuses the command) and return a call bound to the client. Every script of the package
 * goes through here.
 *
 * Why `defineCommand` rather than `SCRIPT LOAD` + `EVALSHA`: ioredis sends `EVAL` with the body the first
 * time a script goes out on a connection and `EVALSHA` after that, and resends on `NOSCRIPT`. That holds
 * per socket, so it survives reconnects, a Redis restarted or failed over (its script cache empty), and a
 * Cluster, where each node — each slot's master — learns the script on its own first call. A request
 * costs one `EVALSHA` in the steady state.
 */
export function registerScript(redis: Redis | Cluster, script: LuaScript, name: string = script.name): ScriptCall {
  const client = redis as unknown as Record<string, unknown>;
  if (typeof client[name] !== 'function') {
    redis.defineCommand(
      name,
      script.keys === undefined ? { lua: script.lua } : { numberOfKeys: script.keys, lua: script.lua },
    );
  }
  return (client[name] as ScriptCall).bind(redis);
}
