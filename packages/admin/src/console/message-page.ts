import { html } from './html.js';
import { layout, type PageContext } from './layout.js';

/**
 * A page that only says something (not found, not authorized, refused, unavailable), with a way back.
 */
export function messagePage(ctx: PageContext, heading: string, text: string): string {
  return layout(
    ctx,
    heading,
    html`<p class="notice error" role="alert">${text}</p>
      <p><a href="${ctx.base}">Back to pending holds</a></p>`,
  );
}

/**
 * The console's sign-in form (`console.signIn`): a name, the key, and where to go afterwards (`next`,
 * a console path). Offers the page itself too: a link from another site arrives without the
 * `SameSite=Strict` session cookie, and following it from here sends the cookie.
 */
export function signInPage(ctx: PageContext, next: string, error?: string): string {
  const message = error === undefined ? undefined : html`<p class="notice error" role="alert">${error}</p>`;
  const target = `${ctx.base}${next === '/' ? '' : next}`;
  return layout(
    { ...ctx, actor: undefined, signOut: false },
    'Sign in',
    html`${message}
      <p>Sign in to review the requests agents are waiting on. Already signed in? <a href="${target}">Continue</a>.</p>
      <form class="sign-in" method="post" action="${ctx.base}/sign-in">
        <input type="hidden" name="csrf" value="${ctx.csrf}" />
        <input type="hidden" name="next" value="${next}" />
        <label for="user">Your name <input id="user" name="user" autocomplete="username" maxlength="128" /></label>
        <label for="key"
          >Key <input id="key" name="key" type="password" autocomplete="current-password" required
        /></label>
        <div class="actions"><button type="submit">Sign in</button></div>
      </form>`,
  );
}
