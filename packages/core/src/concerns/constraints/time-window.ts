import { isDateTime } from '../../base/claims/date-time.js';

/**
 * A `time_window` constraint or context (`{ start, end }`, RFC 3339 date-times) as instants in ms, or
 * `undefined` when it is not one — the one reading of a window, for enforcing it and for comparing a
 * delegated token's window with its parent's.
 *
 * @example
 * instantRange({ start: '2025-01-01T00:00:00Z', end: '2025-01-02T00:00:00Z' }); // { start: 1735689600000, end: … }
 */
export function instantRange(value: unknown): { readonly start: number; readonly end: number } | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const { start, end } = value as Record<string, unknown>;
  if (typeof start !== 'string' || typeof end !== 'string' || !isDateTime(start) || !isDateTime(end)) return undefined;
  return { start: Date.parse(start), end: Date.parse(end) };
}
