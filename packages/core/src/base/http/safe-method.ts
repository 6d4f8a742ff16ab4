/** RFC 9110 §9.2.1: the safe methods. Every other method (POST, PUT, PATCH, DELETE, an extension) may write. */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/**
 * Whether `method` (upper case) is safe in RFC 9110's sense (§9.2.1): read-only by definition.
 *
 * @example
 * isSafeMethod('GET'); // true
 * isSafeMethod('POST'); // false
 */
export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method);
}
