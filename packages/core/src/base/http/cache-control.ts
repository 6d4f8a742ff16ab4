/** Draft "JWKS Caching and Refresh": cache a JWKS at least 5 minutes… */
const MIN_FRESH_MS = 300_000;
/** …and never more than 24 hours. */
export const MAX_FRESH_MS = 86_400_000;

/**
 * How long a fetched JWKS stays fresh, from its response headers (draft "JWKS Caching and Refresh":
 * SHOULD respect `Cache-Control` and `Expires`, cache ≥ 5 min, MUST NOT cache > 24 h). Freshness follows
 * RFC 9111 §4.2.1: `max-age` first, else `Expires` − `Date`; minus `Age` (§4.2.3). `no-store` and
 * `no-cache` cannot be honoured literally by a key cache and get the draft's minimum. The result is
 * clamped to 5 min … 24 h; a response that says nothing gets `fallbackMs` (the `cacheMaxAgeMs` option).
 *
 * @example
 * freshnessMs(new Headers({ 'cache-control': 'public, max-age=3600' }), 600_000); // 3_600_000
 * freshnessMs(new Headers({ 'cache-control': 'max-age=10' }), 600_000); // 300_000
 */
export function freshnessMs(headers: Headers, fallbackMs: number): number {
  const lifetime = declaredLifetimeMs(headers);
  if (lifetime === undefined) return fallbackMs;
  const age = seconds(headers.get('age') ?? undefined) ?? 0;
  return Math.min(MAX_FRESH_MS, Math.max(MIN_FRESH_MS, lifetime - age * 1000));
}

function declaredLifetimeMs(headers: Headers): number | undefined {
  const directives = cacheDirectives(headers.get('cache-control'));
  if (directives.has('no-store') || directives.has('no-cache')) return 0;
  const maxAge = seconds(directives.get('max-age'));
  if (maxAge !== undefined) return maxAge * 1000;
  const expires = headers.get('expires');
  if (expires === null) return undefined;
  const at = Date.parse(expires);
  const date = Date.parse(headers.get('date') ?? '');
  // RFC 9111 §5.3: an invalid Expires (e.g. "0") means already expired.
  return Number.isNaN(at) ? 0 : at - (Number.isNaN(date) ? Date.now() : date);
}

/** RFC 9111 §5.2: comma-separated directives, case-insensitive names, token or quoted-string arguments. */
function cacheDirectives(value: string | null): Map<string, string | undefined> {
  const directives = new Map<string, string | undefined>();
  for (const part of (value ?? '').split(',')) {
    const [name, argument] = part.split('=', 2).map((piece) => piece.trim());
    if (name) directives.set(name.toLowerCase(), argument?.replace(/^"(.*)"$/, '$1'));
  }
  return directives;
}

/** RFC 9111 §1.2.2 delta-seconds: digits only. */
function seconds(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}
