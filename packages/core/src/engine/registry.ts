import type { Engine } from './engine.js';

/**
 * The engine behind each guard object: adapters reach it through `engineOf(guard)`, never through the guard's public
 * API.
 */
const ENGINES = new WeakMap<object, Engine>();

/**
 * Register the engine of a guard (createGuard does, once).
 */
export function registerEngine(guard: object, engine: Engine): void {
  ENGINES.set(guard, engine);
}

/**
 * The engine behind a guard; a `TypeError` for anything that is not a guard made by `createGuard()`.
 */
export function engineOf(
  guard: unknown,
  message = 'expected a guard made by createGuard() of @aap-guard/core',
): Engine {
  const engine = typeof guard === 'object' && guard !== null ? ENGINES.get(guard) : undefined;
  if (!engine) throw new TypeError(message);
  return engine;
}
