/** RFC 3339 §5.6 date-time (the JSON Schema `date-time` format): full-date "T" full-time. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Whether a string is an RFC 3339 date-time that denotes a real instant.
 *
 * @example
 * isDateTime('2024-01-01T00:00:00Z') // true
 * isDateTime('2024-13-01T00:00:00Z') // false
 */
export function isDateTime(value: string): boolean {
  return DATE_TIME.test(value) && !Number.isNaN(Date.parse(value));
}
