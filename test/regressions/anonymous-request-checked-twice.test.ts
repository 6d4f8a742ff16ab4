/**
 * Regression (issue 23, leftovers): an anonymous request ran the pipeline twice on Express and Koa. With
 * `authRequired: false`, a request without an AAP credential to a declared route was checked by the app-wide
 * middleware (no credential: pass) and then AGAIN, in full, by the route's declaration — two pipeline runs and
 * two audit events for one request, where the guard promises one of each (README "Audit events"). The guard now
 * remembers that it
 * passed the request: its declaration only looks again at what the route adds (the body a parser mounted
 * between the two left: a form-body `access_token` there is still refused), and emits nothing when the request
 * is still anonymous. A request that presents an AAP token is still checked in full. Fastify, which knows the
 * route in its `onRequest` hook, always ran once: pinned too — and, since this session, it too looks again at
 * the body its parser left (a `preHandler` hook: the `;`-separated form body's token was let through there).
 * An anonymous request an agents-only declaration refuses is audited once, as the refusal.
 */
import { createServer } from 'node:http';
import Router from '@koa/router';
import type { AuditEvent, Guard } from '@aap-guard/core';
import { aapGuard as expressGuard } from '@aap-guard/express';
import { aapGuard as fastifyGuard } from '@aap-guard/fastify';
import { aapGuard as koaGuard } from '@aap-guard/koa';
import express from 'express';
import Fastify from 'fastify';
import Koa, { type Context } from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { listen, send, useAuditedIssuer, type Listening } from '../adapters/kit.js';

const fixture = useAuditedIssuer();
const FORM = 'application/x-www-form-urlencoded';

interface App extends Listening {
  readonly guard: Guard;
}

/**
 * A form parser that also splits on `;` (as some do): it reads `a=1;access_token=…` as two fields, where a
 * WHATWG reader of the bytes sees one field `a`. Mounted between the guard and the declaration.
 */
function semicolonForm(text: string): Record<string, string> {
  return Object.fromEntries(
    text.split(/[&;]/).map((pair) => new URLSearchParams(pair).entries().next().value ?? ['', '']),
  );
}

async function readText(stream: AsyncIterable<unknown>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const options = (events: AuditEvent[]) => ({ ...fixture.options(events), authRequired: false });
const who = (principal: unknown) => ({ agent: principal ? 'agent' : null });

const builds: Record<string, (events: AuditEvent[]) => Promise<App>> = {
  async express(events) {
    const aap = expressGuard(options(events));
    const app = express();
    app.use(aap);
    app.use('/v1/early', (_req, res) => void res.status(204).end()); // answers before the declared route
    app.use((req, _res, next) => {
      if (!req.is(FORM)) return next();
      readText(req).then((text) => ((req.body = semicolonForm(text)), next()), next);
    });
    app.get('/v1/search', aap.require('search.web'), (req, res) => void res.json(who(req.aap)));
    app.post('/v1/search', aap.require('search.web', { agentsOnly: false }), (req, res) => void res.json(who(req.aap)));
    app.post('/v1/publish', aap.require('cms.publish'), (req, res) => void res.json(who(req.aap)));
    app.get('/v1/early', aap.require('search.web'), (req, res) => void res.json(who(req.aap)));
    return { ...(await listen(createServer(app), aap.guard)), guard: aap.guard };
  },
  async koa(events) {
    const aap = koaGuard(options(events));
    const router = new Router();
    router.get('/v1/search', aap.require('search.web'), (ctx) => void (ctx.body = who(ctx.state.aap)));
    router.post(
      '/v1/search',
      aap.require('search.web', { agentsOnly: false }),
      (ctx) => void (ctx.body = who(ctx.state.aap)),
    );
    router.post('/v1/publish', aap.require('cms.publish'), (ctx) => void (ctx.body = who(ctx.state.aap)));
    router.get('/v1/early', aap.require('search.web'), (ctx) => void (ctx.body = who(ctx.state.aap)));
    const app = new Koa();
    app.use(aap);
    app.use(async (ctx: Context, next) => {
      if (ctx.path !== '/v1/early') return next();
      ctx.status = 204; // answers before the declared route
    });
    app.use(async (ctx: Context, next) => {
      if (ctx.is(FORM)) (ctx.request as { body?: unknown }).body = semicolonForm(await readText(ctx.req));
      await next();
    });
    app.use(router.routes());
    return { ...(await listen(createServer(app.callback()), aap.guard)), guard: aap.guard };
  },
  async fastify(events) {
    const app = Fastify();
    await app.register(fastifyGuard, options(events));
    app.addContentTypeParser(FORM, { parseAs: 'string' }, (_request, body, done) =>
      done(null, semicolonForm(String(body))),
    );
    const config = { config: { aap: { action: 'search.web' } } };
    app.get('/v1/search', config, async (request) => who(request.aap));
    app.post('/v1/search', { config: { aap: { action: 'search.web', agentsOnly: false } } }, async (request) =>
      who(request.aap),
    );
    app.post('/v1/publish', { config: { aap: { action: 'cms.publish' } } }, async (request) => who(request.aap));
    await app.ready();
    return { ...(await listen(app.server, app.aap.guard)), guard: app.aap.guard };
  },
};

/** Decision events (holds and revocations have events of their own). */
const decisions = (events: readonly AuditEvent[]) =>
  events.filter((event) => (event.kind ?? 'decision') === 'decision');

describe.each(Object.keys(builds))('one anonymous request, one check (%s)', (name) => {
  let running: App | undefined;
  afterEach(() => running?.close());

  it('a request without an AAP credential to a declared route: one pipeline run, one audit event', async () => {
    const events: AuditEvent[] = [];
    running = await builds[name]!(events);
    const sent = await send(running.url, { path: '/v1/search', headers: { 'x-api-key': 'k-1' } });
    expect([sent.status, sent.json]).toEqual([200, { agent: null }]);
    const basic = await send(running.url, { path: '/v1/search', headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(basic.status).toBe(200);
    expect(decisions(events).map((event) => [event.decision, event.reason])).toEqual([
      ['allow', undefined],
      ['allow', undefined],
    ]);
  });

  it('a form body without a token: one audit event; an agent token is still checked in full, once', async () => {
    const events: AuditEvent[] = [];
    running = await builds[name]!(events);
    const form = {
      method: 'POST',
      path: '/v1/search',
      headers: { 'content-type': FORM },
      chunks: [Buffer.from('q=1&r=2')],
    };
    expect((await send(running.url, form)).status).toBe(200);
    expect(decisions(events)).toHaveLength(1);
    const token = await fixture.as.mint({ capabilities: [{ action: 'search.web' }] });
    const agent = await send(running.url, { path: '/v1/search', headers: { authorization: `Bearer ${token}` } });
    expect([agent.status, agent.json]).toEqual([200, { agent: 'agent' }]);
    expect(decisions(events).map((event) => event.decision)).toEqual(['allow', 'allow']);
    expect(decisions(events)[1]).toMatchObject({ action: 'search.web', agent: { id: expect.any(String) } });
  });

  it('an anonymous request an agents-only declaration refuses: one audit event, the refusal', async () => {
    const events: AuditEvent[] = [];
    running = await builds[name]!(events);
    const sent = await send(running.url, { method: 'POST', path: '/v1/publish', headers: { 'x-api-key': 'k-1' } });
    expect([sent.status, sent.json?.reason]).toEqual([401, 'credentials_missing']);
    expect(decisions(events).map((event) => [event.decision, event.reason, event.action])).toEqual([
      ['deny', 'credentials_missing', 'cms.publish'],
    ]);
  });

  it.skipIf(name === 'fastify')(
    'an anonymous request to a declared route a middleware answers first: one audit event, at its end',
    async () => {
      const events: AuditEvent[] = [];
      running = await builds[name]!(events);
      const sent = await send(running.url, { path: '/v1/early', headers: { 'x-api-key': 'k-1' } });
      expect(sent.status).toBe(204);
      await expect.poll(() => decisions(events).length).toBe(1);
      expect(decisions(events)[0]).toMatchObject({ decision: 'allow', path: '/v1/early' });
    },
  );

  it('a token in the body a parser between the guard and the declaration left is still refused', async () => {
    const events: AuditEvent[] = [];
    running = await builds[name]!(events);
    const token = await fixture.as.mint({ capabilities: [{ action: 'search.web' }] });
    const body = Buffer.from(`q=1;access_token=${token}`); // a WHATWG reader sees one field, `q`
    const sent = await send(running.url, {
      method: 'POST',
      path: '/v1/search',
      headers: { 'content-type': FORM },
      chunks: [body],
    });
    expect([sent.status, sent.json?.reason]).toEqual([400, 'credentials_in_query']);
    expect(decisions(events).at(-1)).toMatchObject({ decision: 'deny', reason: 'credentials_in_query' });
  });
});
