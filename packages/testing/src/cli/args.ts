/** Bad usage of the command line: exit code 2, with the usage text. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * Run a `parseArgs` call (strict: unknown options are errors), its errors turned into `UsageError`s.
 *
 * @example
 * import { parseArgs } from 'node:util';
 * const options = { ttl: { type: 'string' } } as const;
 * const { values } = parsed(() => parseArgs({ args: ['--ttl', '1h'], options, strict: true }));
 */
export function parsed<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * A duration (`90`, `90s`, `10m`, `1h`, `2d`) in seconds; `UsageError` naming the option otherwise.
 *
 * @example
 * seconds('1h', '--ttl') // → 3600
 */
export function seconds(text: string, option: string): number {
  const match = /^(\d{1,7})([smhd]?)$/.exec(text.trim());
  if (!match || Number(match[1]) === 0)
    throw new UsageError(`${option} must be a positive duration such as 90s, 10m, 1h or 1d (got "${text}")`);
  return Number(match[1]) * UNITS[match[2] || 's']!;
}

/**
 * A JSON object given on the command line; `UsageError` naming the option otherwise.
 *
 * @example
 * jsonObject('{"max_requests_per_minute":5}', '--constraints') // → { max_requests_per_minute: 5 }
 */
export function jsonObject(text: string, option: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError(`${option} must be a JSON object (got "${text}")`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new UsageError(`${option} must be a JSON object (got "${text}")`);
  return value as Record<string, unknown>;
}

/**
 * A TCP port number (0: any free port); `UsageError` naming the option otherwise.
 *
 * @example
 * port('4455', '--port') // → 4455
 */
export function port(text: string, option: string): number {
  const value = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(value >= 0 && value <= 65_535))
    throw new UsageError(`${option} must be a port number, 0 for any free one (got "${text}")`);
  return value;
}
