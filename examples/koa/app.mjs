// A small agent-facing API: search the web, write drafts, publish (a human approves publishing).
// The routes declare which AAP action they perform; aap-guard decides who may call them.
import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import Koa from 'koa';
import { consoleSignIn } from '@aap-guard/admin';
import { aapAdmin } from '@aap-guard/admin/koa';
import { aapGuard } from '@aap-guard/koa';
import { adminAccess, withBodyPreview } from '../shared/demo-support.mjs';

/**
 * Build the app. `options` are aapGuard options: guard options, or `{ guard }` to share one.
 * Without options, `aapGuard()` reads AAP_ISSUER, AAP_AUDIENCE and AAP_JWKS_URI. With an
 * `adminKey`, people holding it approve or deny held requests under `/aap-admin`, in the approval
 * console at `/aap-admin/console` (`console` overrides its options).
 */
export function createApp(options, { adminKey, console: consoleOptions } = {}) {
  const app = new Koa();
  const aap = aapGuard(withBodyPreview(options)); // held bodies are previewed for the approver
  const router = new Router();

  // Opted out: a public health check, no token needed.
  router.get('/health', aap.public(), (ctx) => {
    ctx.body = { status: 'ok' };
  });

  // Declared by nobody: refused (403 route_undeclared) before this handler can run — the secure default.
  router.get('/v1/stats', (ctx) => {
    ctx.body = { drafts: 0 };
  });

  // The target URL is what domains_allowed / domains_blocked are checked against.
  router.get('/v1/search', aap.require('search.web', { target: (ctx) => ctx.query.url }), (ctx) => {
    ctx.body = {
      url: ctx.query.url,
      agent: ctx.state.aap.claims.agent.id,
      results: [{ title: 'OAuth 2.0', snippet: 'An authorization framework…' }],
    };
  });

  router.post('/v1/drafts', aap.require('cms.create_draft'), json(100 * 1024), (ctx) => {
    ctx.status = 201;
    ctx.body = { id: randomUUID(), title: String(ctx.request.body?.title ?? 'untitled'), status: 'draft' };
  });

  // Under oversight when the token lists cms.publish in requires_human_approval_for: held for a human,
  // who approves THIS body; a retry with another body is another request (403 hold_mismatch).
  router.post('/v1/publish', aap.require('cms.publish'), json(10 * 1024), (ctx) => {
    ctx.body = { id: String(ctx.request.body?.id ?? ''), status: 'published' };
  });

  // For people, not agents: mounted before `aap`, protected by its own authorize(); a new hold's
  // approval_reference is its page in the console under the prefix.
  if (adminKey) {
    const access = adminAccess(adminKey, consoleSignIn);
    const admin = {
      guard: aap.guard,
      authorize: (ctx) => access.authorize(ctx.headers),
      actor: (ctx) => access.actor(ctx.headers),
    };
    app.use(aapAdmin({ ...admin, prefix: '/aap-admin', console: { signIn: access.signIn, ...consoleOptions } }));
  }
  app.use(aap); // authenticates every request; ctx.state.aap is the verified agent; refuses undeclared routes
  app.use(router.routes());
  app.use(router.allowedMethods());
  return { app, guard: aap.guard };
}

/** A minimal JSON body reader (use koa-bodyparser or @koa/bodyparser in a real app). */
function json(limit) {
  return async (ctx, next) => {
    if (ctx.is('application/json')) {
      let size = 0;
      const parts = [];
      for await (const chunk of ctx.req) {
        size += chunk.length;
        if (size > limit) ctx.throw(413, 'request body too large');
        parts.push(chunk);
      }
      try {
        ctx.request.body = parts.length ? JSON.parse(Buffer.concat(parts).toString('utf8')) : {};
      } catch {
        ctx.throw(400, 'invalid JSON body');
      }
    }
    await next();
  };
}
