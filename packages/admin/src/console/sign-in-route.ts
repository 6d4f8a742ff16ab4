import { setCookie } from './cookies.js';
import { sameOriginForm } from './csrf.js';
import type { PageContext } from './layout.js';
import { messagePage, signInPage } from './message-page.js';
import { consoleReply, type AdminHttpRequest, type AdminHttpResponse } from './reply.js';
import type { ConsoleSignIn } from './sign-in.js';

const HTML = 'text/html; charset=utf-8';
/** Where a sign-in may lead: the list or a hold's page, nothing else (no open redirect). */
const NEXT = /^\/(holds\/[A-Za-z0-9_-]{32})?$/;

/**
 * The console's own sign-in (`console.signIn`): `GET /console/sign-in` shows the form, `POST` checks it
 * (CSRF-protected too: no one signs you in as them) and sets the `HttpOnly`, `SameSite=Strict` session
 * cookie on the console's path, then leads to `next`; `POST /console/sign-out` deletes the cookie.
 */
export async function signInRoute(
  signIn: ConsoleSignIn,
  ctx: PageContext,
  input: AdminHttpRequest,
  rest: '/sign-in' | '/sign-out' | string,
  csrfCookie: string | undefined,
): Promise<AdminHttpResponse> {
  const scope = { path: ctx.base, secure: input.secure };
  const reply = (status: number, text: string, cookies: (string | undefined)[] = [], extra?: Record<string, string>) =>
    consoleReply(status, HTML, text, [csrfCookie, ...cookies], extra);
  const form = formOf(input.body);
  const next = NEXT.test(form.get('next') ?? '') ? (form.get('next') as string) : '/';
  if (rest === '/sign-in' && input.method === 'GET') {
    const asked = typeof input.query.next === 'string' && NEXT.test(input.query.next) ? input.query.next : '/';
    return reply(200, signInPage(ctx, asked));
  }
  if (input.method !== 'POST') return reply(405, messagePage(ctx, 'Not allowed', 'Use the form.'));
  if (!sameOriginForm(input.headers, form.get('csrf') ?? undefined)) {
    return reply(
      403,
      messagePage(
        ctx,
        'Refused',
        'This form was not sent from this console (its anti-forgery token is missing or wrong). Reload the page and try again.',
      ),
    );
  }
  if (rest === '/sign-out')
    return reply(303, '', [setCookie(signIn.cookie, '', scope, 0)], { location: `${ctx.base}/sign-in` });
  const who = await signIn.verify((form.get('user') ?? '').trim().slice(0, 128), form.get('key') ?? '');
  if (who === undefined) return reply(401, signInPage(ctx, next, 'Wrong name or key.'));
  const session = signIn.issue(who);
  return reply(303, '', [setCookie(signIn.cookie, session.value, scope, session.maxAge)], {
    location: `${ctx.base}${next === '/' ? '' : next}`,
  });
}

/**
 * The fields of a posted form, whether the adapter parsed it (an object of strings) or passed its raw
 * `application/x-www-form-urlencoded` text; anything else is an empty form.
 *
 * @example
 * formOf('csrf=abc&verdict=approve').get('verdict') // 'approve'
 */
export function formOf(body: unknown): URLSearchParams {
  if (typeof body === 'string') return new URLSearchParams(body);
  const form = new URLSearchParams();
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return form;
  for (const [name, value] of Object.entries(body)) if (typeof value === 'string') form.set(name, value);
  return form;
}
