import { InfrastructureError, type Guard, type Hold, type HoldUpdate } from '@aap-guard/core';
import type { AdminOptions } from '../admin-api.js';
import { CONSOLE_CSS, CONSOLE_JS } from './assets.js';
import { csrfToken, sameOriginForm } from './csrf.js';
import { fingerprint } from './format.js';
import { holdPage, type Notice } from './hold-page.js';
import type { PageContext } from './layout.js';
import { holdFilterOf, listPage, listQuery } from './list-page.js';
import { messagePage, signInPage } from './message-page.js';
import type { ConsoleSettings } from './options.js';
import { consoleReply, jsonReply, type AdminHttpRequest, type AdminHttpResponse } from './reply.js';
import { formOf, signInRoute } from './sign-in-route.js';

const HTML = 'text/html; charset=utf-8';
const HOLD_PATH = /^\/holds\/([A-Za-z0-9_-]{1,64})(\/state)?$/;

/** One console request in flight. */
interface Visit<Req> {
  readonly req: Req;
  readonly input: AdminHttpRequest;
  readonly ctx: PageContext;
  /** The CSRF cookie to set, when the browser has none yet. */
  readonly cookie: string | undefined;
}

/**
 * The approval console: server-rendered pages under `<mount>/console` — the holds with filters, a page
 * per hold, Approve / Deny with an optional reason — behind the admin routes' own `authorize(req)`, with
 * decisions recorded as `actor(req)` through `guard.holds` (so audited like the JSON API). Every form
 * post needs the page's CSRF token; every page is `no-store`, unframeable and script-clean under a strict
 * CSP; every value from a token or a request is escaped. Of two approvers clicking at once, on any
 * replicas, one decision is applied (the stores' compare-and-set) and the other sees 409 with the winner.
 */
export function consoleApi<Req>(
  guard: Guard,
  options: AdminOptions<Req>,
  settings: ConsoleSettings,
): (req: Req, input: AdminHttpRequest) => Promise<AdminHttpResponse> {
  return async (req, given) => {
    const input = { ...given, method: given.method.toUpperCase() };
    const base = `${input.mount.replace(/\/+$/, '')}/console`;
    const rest = input.path.slice('/console'.length) || '/';
    if (input.method === 'GET' && rest.startsWith('/assets/')) return asset(rest);
    const { token, cookie } = csrfToken(input.headers, { path: base, secure: input.secure });
    const visit: Visit<Req> = {
      req,
      input,
      cookie,
      ctx: { base, title: settings.title, now: guard.now(), csrf: token },
    };
    try {
      if (settings.signIn && (rest === '/sign-in' || rest === '/sign-out'))
        return await signInRoute(settings.signIn, visit.ctx, input, rest, cookie);
      if (!(await allowed(options, req))) return refuse(visit, settings, rest);
      const actor = (await options.actor?.(req)) ?? 'admin';
      const ctx: PageContext = {
        ...visit.ctx,
        actor,
        signOut: settings.signIn?.who(input.headers.cookie) !== undefined,
      };
      return await route(guard, { ...visit, ctx }, settings, rest);
    } catch (error) {
      if (error instanceof TypeError) return page(visit, 400, messagePage(visit.ctx, 'Not accepted', error.message));
      const store = error instanceof InfrastructureError ? 'The hold store is unavailable' : 'Something failed';
      return page(
        visit,
        503,
        messagePage(visit.ctx, 'Try again', `${store}; nothing was changed. Try again in a moment.`),
      );
    }
  };
}

async function route<Req>(
  guard: Guard,
  visit: Visit<Req>,
  settings: ConsoleSettings,
  rest: string,
): Promise<AdminHttpResponse> {
  const { ctx, input } = visit;
  if (input.method === 'GET' && (rest === '/' || rest === '/state')) {
    const query = listQuery(input.query);
    const holds = await guard.holds.list(holdFilterOf(query));
    if (rest === '/state') return jsonReply(200, { fingerprint: fingerprint(holds, ctx.now) });
    return page(visit, 200, listPage(ctx, query, holds, settings.refresh));
  }
  const match = HOLD_PATH.exec(rest);
  if (!match) return page(visit, 404, messagePage(ctx, 'Not found', 'There is no such page in this console.'));
  const id = match[1] as string;
  if (input.method === 'POST' && match[2] === undefined) return decide(guard, visit, settings, id);
  if (input.method !== 'GET')
    return page(visit, 405, messagePage(ctx, 'Not allowed', 'This page cannot be posted to.'));
  const hold = await guard.holds.get(id);
  if (match[2] !== undefined)
    return hold
      ? jsonReply(200, { fingerprint: fingerprint([hold], ctx.now) })
      : jsonReply(404, { error: 'not_found' });
  return hold ? page(visit, 200, holdPage(ctx, hold, settings.refresh)) : notFound(visit);
}

/**
 * Approve or deny from the hold's form: CSRF first, then one atomic decision; a lost race is a 409 naming the winner.
 */
async function decide<Req>(
  guard: Guard,
  visit: Visit<Req>,
  settings: ConsoleSettings,
  id: string,
): Promise<AdminHttpResponse> {
  const { ctx, input } = visit;
  const form = formOf(input.body);
  if (!sameOriginForm(input.headers, form.get('csrf') ?? undefined)) {
    return page(
      visit,
      403,
      messagePage(
        ctx,
        'Refused',
        'This form was not sent from this console (its anti-forgery token is missing or wrong). Nothing was changed: reload the hold and decide again.',
      ),
    );
  }
  const verdict = form.get('verdict');
  if (verdict !== 'approve' && verdict !== 'deny')
    return page(visit, 400, messagePage(ctx, 'Not accepted', 'Choose Approve or Deny.'));
  const note = form.get('note')?.trim() || undefined;
  const decision = { by: ctx.actor ?? 'admin', note };
  const result = verdict === 'approve' ? await guard.holds.approve(id, decision) : await guard.holds.deny(id, decision);
  if (!result.ok && !result.hold) return notFound(visit);
  const hold = result.hold as Hold;
  return page(visit, result.ok ? 200 : 409, holdPage(ctx, hold, settings.refresh, outcome(result, hold)));
}

function outcome(result: HoldUpdate, hold: Hold): Notice {
  if (result.ok) {
    return hold.status === 'approved'
      ? { kind: 'ok', text: 'You approved this hold. The agent may now retry exactly this request, once.' }
      : { kind: 'ok', text: 'You denied this hold. The agent’s retry will be refused.' };
  }
  if (result.problem === 'expired') return { kind: 'error', text: 'Not applied: this hold has expired.' };
  const by = hold.approvedBy ?? hold.deniedBy;
  const what = hold.status === 'used' ? 'approved and already used' : hold.status;
  return {
    kind: 'error',
    text: `Not applied: this hold was already ${what}${by === undefined ? '' : ` by ${by}`}. Only the first decision counts.`,
  };
}

/** Not authorized: the sign-in form when the console has one (a page), else 403. */
function refuse<Req>(visit: Visit<Req>, settings: ConsoleSettings, rest: string): AdminHttpResponse {
  if (rest.endsWith('/state')) return jsonReply(403, { error: 'forbidden' });
  if (settings.signIn && visit.input.method === 'GET') {
    const next = rest === '/' || HOLD_PATH.test(rest) ? rest : '/';
    return page(visit, 401, signInPage(visit.ctx, next));
  }
  return page(
    visit,
    403,
    messagePage(
      visit.ctx,
      'Not authorized',
      'This console is for the people your application authorizes (its authorize(req)); you are not signed in as one of them.',
    ),
  );
}

function notFound<Req>(visit: Visit<Req>): AdminHttpResponse {
  return page(visit, 404, messagePage(visit.ctx, 'Not found', 'No hold has this id (or its record has expired).'));
}

function page<Req>(visit: Visit<Req>, status: number, text: string): AdminHttpResponse {
  return consoleReply(status, HTML, text, [visit.cookie]);
}

function asset(rest: string): AdminHttpResponse {
  if (rest === '/assets/console.css') return consoleReply(200, 'text/css; charset=utf-8', CONSOLE_CSS);
  if (rest === '/assets/console.js') return consoleReply(200, 'text/javascript; charset=utf-8', CONSOLE_JS);
  return consoleReply(404, 'text/plain; charset=utf-8', 'not found');
}

async function allowed<Req>(options: AdminOptions<Req>, req: Req): Promise<boolean> {
  try {
    return (await options.authorize(req)) === true;
  } catch {
    return false;
  }
}
