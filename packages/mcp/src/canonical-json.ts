/** Nesting deeper than this is refused rather than risk the stack (no real tool argument comes close). */
const MAX_DEPTH = 256;

/**
 * The canonical JSON text of a parsed JSON value (RFC 8785 JCS for the values `JSON.parse` yields): object
 * members sorted by their names' UTF-16 code units, no whitespace, strings and numbers as ECMAScript
 * serializes them. Two encodings of the same value — members reordered, spaces added — give the same text,
 * so a digest of it names the value, not the bytes. Throws `RangeError` past 256 levels of nesting.
 *
 * @example
 * canonicalJson({ b: [1, 2], a: 'x' }) // '{"a":"x","b":[1,2]}'
 */
export function canonicalJson(value: unknown, depth = 0): string {
  if (depth > MAX_DEPTH) throw new RangeError(`JSON nested deeper than ${MAX_DEPTH} levels`);
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item: unknown) => canonicalJson(item, depth + 1)).join(',')}]`;
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .filter((name) => record[name] !== undefined)
    .sort()
    .map((name) => `${JSON.stringify(name)}:${canonicalJson(record[name], depth + 1)}`);
  return `{${members.join(',')}}`;
}
