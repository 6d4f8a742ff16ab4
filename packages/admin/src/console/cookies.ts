/** What the console knows about where its cookies live. */
export interface CookieScope {
  /** The console's path (`<mount>/console`): its cookies go to no other path, the JSON admin API included. */
  readonly path: string;
  /** Over HTTPS: `Secure`. */
  readonly secure: boolean;
}

/**
 * The value of cookie `name` in a `Cookie` header (RFC 6265 §5.4), or undefined. The first one wins;
 * values are used as sent (the console's own values are base64url).
 *
 * @example
 * readCookie('a=1; aap_console_csrf=x', 'aap_console_csrf') // 'x'
 */
export function readCookie(header: string | readonly string[] | undefined, name: string): string | undefined {
  const text = Array.isArray(header) ? header.join('; ') : header;
  if (typeof text !== 'string') return undefined;
  for (const part of text.split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/**
 * A `Set-Cookie` value for one of the console's cookies: `HttpOnly`, `SameSite=Strict` (never sent on a
 * cross-site request), scoped to the console's path, `Secure` over HTTPS. `maxAge` 0 deletes it.
 *
 * @example
 * setCookie('aap_console_csrf', token, { path: '/aap-admin/console', secure: true })
 */
export function setCookie(name: string, value: string, scope: CookieScope, maxAge?: number): string {
  const parts = [`${name}=${value}`, `Path=${scope.path}`, 'HttpOnly', 'SameSite=Strict'];
  if (maxAge !== undefined) parts.push(`Max-Age=${Math.max(0, Math.floor(maxAge))}`);
  if (scope.secure) parts.push('Secure');
  return parts.join('; ');
}
