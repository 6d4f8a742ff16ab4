import { html, type Html } from './html.js';

/** What every page of one request shares. */
export interface PageContext {
  /** The console's path as the browser addresses it (`/aap-admin/console`). */
  readonly base: string;
  /** The console's title. */
  readonly title: string;
  /** The request time in ms (the guard's clock). */
  readonly now: number;
  /** Who is signed in, when known. */
  readonly actor?: string | undefined;
  /** The CSRF token for this page's forms. */
  readonly csrf?: string | undefined;
  /** Offer "Sign out" (the console's own sign-in is in use and the person is signed in). */
  readonly signOut?: boolean | undefined;
}

/** What the page's script polls to see whether it is out of date. */
export interface PageState {
  readonly url: string;
  readonly fingerprint: string;
  /** Seconds between polls (0: none). */
  readonly refresh: number;
}

/**
 * A complete HTML document: skip link, header with the console's name and who is signed in, a `main`
 * landmark with the page's heading and content. Works without its style sheet and script.
 */
export function layout(ctx: PageContext, heading: string, content: Html, state?: PageState): string {
  const who = ctx.actor === undefined ? undefined : html`<span>Signed in as <strong>${ctx.actor}</strong></span>`;
  const signOut =
    ctx.signOut && ctx.csrf
      ? html`<form method="post" action="${ctx.base}/sign-out">
          <input type="hidden" name="csrf" value="${ctx.csrf}" /><button type="submit">Sign out</button>
        </form>`
      : undefined;
  const body = state
    ? html`<body
        data-now="${ctx.now}"
        data-state="${state.url}"
        data-fingerprint="${state.fingerprint}"
        data-refresh="${state.refresh}"
      ></body>`
    : html`<body data-now="${ctx.now}"></body>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${heading} · ${ctx.title}</title>
<link rel="stylesheet" href="${ctx.base}/assets/console.css">
<script src="${ctx.base}/assets/console.js" defer></script>
</head>
${body}
<a class="skip" href="#main">Skip to content</a>
<header class="top">
<h1><a href="${ctx.base}">${ctx.title}</a></h1>
<nav aria-label="Holds"><a href="${ctx.base}?status=pending">Pending</a> · <a href="${ctx.base}?status=all">All holds</a></nav>
<div>${who} ${signOut}</div>
</header>
<main id="main">
<h2>${heading}</h2>
<p id="changed" class="notice" role="status" hidden>This page changed elsewhere (another approver, replica or the API). <a href="">Reload</a></p>
${content}
</main>
</body>
</html>
`.value;
}
