/**
 * One rule for every URL the guard sends credentials to or trusts answers from — JWKS, RFC 8414 metadata
 * and the endpoints it names, introspection endpoints, capability sets, the SET poll endpoint: `https:`, or
 * `http:` on a loopback host only (development, tests), or anything over `http:` when the operator opted in
 * with `allowInsecureRequests: true`. In cleartext, keys, answers and capability sets can be replaced in
 * transit and bearer tokens and client secrets read (RFC 8414 §3, RFC 7517 §9, RFC 7662 §4, RFC 8936 §4
 * require TLS). This file is the only place that decides it.
 */

/**
 * A host that is this machine by its address or the reserved name: `localhost`, 127.0.0.0/8, `[::1]`.
 * `hostname` is a WHATWG `URL#hostname` (IPv4 already normalized, IPv6 in brackets). Names under
 * `.localhost` are not trusted: whether they resolve to loopback depends on the resolver (RFC 6761 §6.3
 * only says they SHOULD).
 *
 * @example
 * isLoopbackHost(new URL('http://127.0.0.1:8080/').hostname) // true
 */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/**
 * Whether the guard may send credentials to `url` or trust its answers: https; http on a loopback host;
 * any http with `allowInsecure` (the `allowInsecureRequests` option). Other schemes never.
 *
 * @example
 * isSecureUrl(new URL('http://as.example.com/introspect'), false) // false
 */
export function isSecureUrl(url: URL, allowInsecure: boolean): boolean {
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && (allowInsecure || isLoopbackHost(url.hostname));
}

/**
 * Why `url` breaks the rule, in words naming `what` (an option path, or where the URL was read), or
 * `undefined` when it keeps it. For URLs learned at run time (metadata, a token's reference).
 *
 * @example
 * const problem = insecureUrlProblem(url, `metadata ${at.href}: jwks_uri`, false);
 * if (problem) throw new FetchError(problem);
 */
export function insecureUrlProblem(url: URL, what: string, allowInsecure: boolean): string | undefined {
  return isSecureUrl(url, allowInsecure) ? undefined : refusal(what, url.href, url);
}

/**
 * Validate a configured URL once, at construction: an absolute URL that keeps the rule, else a
 * `TypeError` naming the option (`name`) and the value.
 *
 * @example
 * const endpoint = secureUrl('https://as.example.com/introspect', 'options.introspection.endpoint', false);
 */
export function secureUrl(value: unknown, name: string, allowInsecure: boolean): URL {
  const url = typeof value === 'string' ? URL.parse(value) : null;
  if (!url) throw new TypeError(`${name} must be an absolute https URL`);
  if (!isSecureUrl(url, allowInsecure)) throw new TypeError(refusal(name, value as string, url));
  return url;
}

function refusal(what: string, shown: string, url: URL): string {
  if (url.protocol !== 'http:') return `${what} ${shown} must be an https URL`;
  return (
    `${what} ${shown} is http:// on a non-loopback host: credentials and answers would cross the network in ` +
    'cleartext; use https (http only on localhost, 127.0.0.0/8 or [::1]), or set allowInsecureRequests: true'
  );
}
