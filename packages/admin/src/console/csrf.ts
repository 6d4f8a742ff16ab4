import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readCookie, setCookie, type CookieScope } from './cookies.js';

/** The console's anti-CSRF cookie; its value is repeated in every form's `csrf` field (double submit). */
const CSRF_COOKIE = 'aap_console_csrf';

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** Request headers, lower-case names. */
export type Headers = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * The CSRF token of this browser: the one in its cookie, or a new random one (256 bits) with the
 * `Set-Cookie` that stores it. Every page with a form embeds the token.
 *
 * @example
 * const { token, cookie } = csrfToken(headers, scope); // cookie: undefined when the browser has one
 */
export function csrfToken(headers: Headers, scope: CookieScope): { token: string; cookie?: string } {
  const known = readCookie(headers.cookie, CSRF_COOKIE);
  if (known !== undefined && TOKEN.test(known)) return { token: known };
  const token = randomBytes(32).toString('base64url');
  return { token, cookie: setCookie(CSRF_COOKIE, token, scope) };
}

/**
 * Whether a state-changing form post comes from the console's own page: the form's token equals the
 * cookie's (double submit; the cookie is `SameSite=Strict`, so another site's form arrives without it),
 * and the browser's own word agrees — `Sec-Fetch-Site: same-origin` when sent, else an `Origin` whose
 * host is the request's `Host`. Anything missing refuses.
 *
 * @example
 * if (!sameOriginForm(input.headers, form.get('csrf'))) return { status: 403 };
 */
export function sameOriginForm(headers: Headers, given: string | undefined): boolean {
  const known = readCookie(headers.cookie, CSRF_COOKIE);
  if (known === undefined || given === undefined || !TOKEN.test(known) || !TOKEN.test(given)) return false;
  if (!timingSafeEqual(Buffer.from(known), Buffer.from(given))) return false;
  const site = one(headers['sec-fetch-site']);
  if (site !== undefined) return site === 'same-origin';
  const origin = one(headers.origin);
  if (origin === undefined) return true; // neither header: not a browser that could be driven cross-site
  const host = one(headers.host);
  const from = URL.parse(origin)?.host; // an opaque origin ('null') has none
  return from !== undefined && from !== '' && from === host;
}

function one(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
