import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readCookie } from './cookies.js';

/** Options of `consoleSignIn()`. */
export interface ConsoleSignInOptions {
  /**
   * Check what a person typed into the console's sign-in form: return who they are (recorded as the
   * approver; at most 256 characters), or undefined to refuse.
   */
  readonly verify: (user: string, key: string) => string | undefined | Promise<string | undefined>;
  /**
   * HMAC key of the session cookie, at least 32 bytes: give every replica the same one. Default: random, this process
   * only.
   */
  readonly secret?: string | Uint8Array | undefined;
  /** Session lifetime in seconds (default 28800: 8 hours). */
  readonly ttl?: number | undefined;
  /** Clock in ms (default `Date.now`). */
  readonly now?: (() => number) | undefined;
}

/**
 * A sign-in for the approval console, for apps whose admins have no browser session of their own (the
 * examples exchange the admin key for one). Give it to the admin router as `console.signIn`, and accept
 * its session in your `authorize(req)` — the one gate stays yours.
 */
export interface ConsoleSignIn {
  /** Name of the session cookie (`HttpOnly`, `SameSite=Strict`, scoped to the console's path). */
  readonly cookie: string;
  /** Who the session cookie in this `Cookie` header names, while it is valid; otherwise undefined. */
  who(cookieHeader: string | readonly string[] | undefined): string | undefined;
  /** Check a sign-in form (the console calls it). */
  verify(user: string, key: string): Promise<string | undefined>;
  /** A new session for `who`: the cookie value and its lifetime in seconds (the console calls it). */
  issue(who: string): { readonly value: string; readonly maxAge: number };
}

/**
 * A stateless sign-in: the session cookie is `<payload>.<HMAC-SHA256>` (who and expiry), checked in
 * constant time. Signing out deletes the cookie in the browser; a stolen cookie stays valid until it
 * expires, so keep `ttl` short and serve the console over HTTPS.
 *
 * @example
 * const signIn = consoleSignIn({ verify: (user, key) => (isAdminKey(key) ? user || 'admin' : undefined) });
 * app.use('/aap-admin', aapAdmin({
 *   guard, console: { signIn },
 *   authorize: (req) => isAdminKey(req.get('x-admin-key')) || signIn.who(req.headers.cookie) !== undefined,
 *   actor: (req) => signIn.who(req.headers.cookie),
 * }));
 */
export function consoleSignIn(options: ConsoleSignInOptions): ConsoleSignIn {
  if (typeof options?.verify !== 'function')
    throw new TypeError('consoleSignIn: options.verify(user, key) is required');
  const secret = options.secret ?? randomBytes(32);
  if ((typeof secret !== 'string' && !(secret instanceof Uint8Array)) || Buffer.byteLength(secret) < 32) {
    throw new TypeError('consoleSignIn: options.secret must be a string or bytes of at least 32 bytes');
  }
  const ttl = options.ttl ?? 28_800;
  if (!Number.isSafeInteger(ttl) || ttl < 60 || ttl > 7 * 86_400)
    throw new TypeError('consoleSignIn: options.ttl must be an integer number of seconds in [60, 604800]');
  const now = options.now ?? Date.now;
  const sign = (payload: string) => createHmac('sha256', secret).update(payload).digest();
  return Object.freeze({
    cookie: 'aap_console_session',
    who(header: string | readonly string[] | undefined) {
      const [payload, mac, extra] = (readCookie(header, 'aap_console_session') ?? '').split('.');
      if (!payload || !mac || extra !== undefined) return undefined;
      const expected = sign(payload);
      const given = Buffer.from(mac, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      const session = parse(payload);
      return session && session.e > now() ? session.w : undefined;
    },
    async verify(user: string, key: string) {
      const who = await options.verify(user, key);
      return typeof who === 'string' && who.length > 0 && who.length <= 256 ? who : undefined;
    },
    issue(who: string) {
      const payload = Buffer.from(JSON.stringify({ w: who, e: now() + ttl * 1000 })).toString('base64url');
      return { value: `${payload}.${sign(payload).toString('base64url')}`, maxAge: ttl };
    },
  });
}

function parse(payload: string): { w: string; e: number } | undefined {
  try {
    const value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { w?: unknown; e?: unknown };
    return typeof value.w === 'string' && typeof value.e === 'number' ? { w: value.w, e: value.e } : undefined;
  } catch {
    return undefined;
  }
}
