/**
 * Freeze a JSON value and everything reachable from it, iteratively (a hostile token may nest deeply;
 * recursion could exhaust the stack). Own keys only, so a `__proto__` member is just data.
 *
 * @example
 * const claims = deepFreeze(JSON.parse(json));
 */
export function deepFreeze<T>(value: T): T {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object' || Object.isFrozen(node)) continue;
    Object.freeze(node);
    for (const key of Object.keys(node)) stack.push((node as Record<string, unknown>)[key]);
  }
  return value;
}
