/**
 * Regression (issue 25, known defect): two declarations of the SAME guard on one route — a router-wide
 * `aap.require('files.read')` and the route's own `aap.require('files.read')` (Express, Koa), or one guard
 * registered twice, at the root and in the route's encapsulated context (Fastify) — ran the whole check
 * twice: the second run saw the request's DPoP proof again and refused it as a replay (401 `dpop_replay`
 * for a fresh proof), and emitted a second audit event. A guard checks a request once: a later declaration
 * of the same guard that declares the same check repeats the first decision; one that declares another
 * action authorizes that action too (never looser), on the proof this guard already consumed. The same
 * second run answered a held action's approved retry with 413: the first run had let go of the body's bytes.
 */
import { createServer } from 'node:http';
import Router from '@koa/router';
import { createGuard, type AuditEvent, type Guard } from '@aap-guard/core';
import { aapGuard as expressGuard } from '@aap-guard/express';
import { aapGuard as fastifyGuard } from '@aap-guard/fastify';
import { aapGuard as koaGuard } from '@aap-guard/koa';
import { dpopProof } from '@aap-guard/testing';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import {
  expectHoldBoundToBody,
  heldPublishToken,
  listen,
  send,
  useAuditedIssuer,
  type Listening,
} from '../adapters/kit.js';

const fixture = useAuditedIssuer();

/**
 * `GET /files/report` declared twice by one guard with `first` then `second` (Fastify: one action, two registrations).
 */
type Build = (events: AuditEvent[], first: string, second: string) => Promise<Listening>;

const builds: Record<string, Build> = {
  async express(events, first, second) {
    const aap = expressGuard(fixture.options(events));
    const files = express.Router();
    files.use(aap.require(first));
    files.get('/report', aap.require(second), (_req, res) => void res.json({ report: true }));
    const app = express();
    app.use(aap);
    app.use('/files', files);
    return listen(createServer(app), aap.guard);
  },
  async 'express (no app-wide middleware)'(events, first, second) {
    const aap = expressGuard(fixture.options(events));
    const files = express.Router();
    files.get('/report', aap.require(second), (_req, res) => void res.json({ report: true }));
    const app = express();
    app.use('/files', aap.require(first), files);
    return listen(createServer(app), aap.guard);
  },
  async koa(events, first, second) {
    const aap = koaGuard(fixture.options(events));
    const files = new Router({ prefix: '/files' });
    files.use(aap.require(first));
    files.get('/report', aap.require(second), (ctx) => void (ctx.body = { report: true }));
    const app = new Koa();
    app.use(aap).use(files.routes());
    return listen(createServer(app.callback()), aap.guard);
  },
  async fastify(events, first) {
    const guard: Guard = createGuard(fixture.options(events));
    const app = Fastify();
    await app.register(fastifyGuard, { guard });
    await app.register(async (inner) => {
      await inner.register(fastifyGuard, { guard });
      inner.get('/files/report', { config: { aap: { action: first } } }, async () => ({ report: true }));
    });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    return { url, close: async () => (await app.close(), await guard.close()) };
  },
};

const decisions = (events: readonly AuditEvent[]) =>
  events.filter((event) => (event.kind ?? 'decision') === 'decision');

describe.each(Object.keys(builds))('one guard declared twice on a route checks the request once (%s)', (name) => {
  let running: Listening | undefined;
  afterEach(() => running?.close());

  const get = async (token: string) => {
    const proof = await dpopProof({
      key: fixture.key,
      method: 'GET',
      url: `${running!.url}/files/report`,
      accessToken: token,
    });
    const headers = { authorization: `DPoP ${token}`, dpop: proof };
    return {
      first: await send(running!.url, { path: '/files/report', headers }),
      again: () => send(running!.url, { path: '/files/report', headers }),
    };
  };

  it('the same action twice: a fresh DPoP proof is admitted (never its own replay), one audit event; its replay is refused', async () => {
    const events: AuditEvent[] = [];
    running = await builds[name]!(events, 'files.read', 'files.read');
    const token = await fixture.as.mint({ jkt: fixture.key.jkt, capabilities: [{ action: 'files.read' }] });
    const sent = await get(token);
    expect([sent.first.status, sent.first.json]).toEqual([200, { report: true }]);
    await expect.poll(() => decisions(events).length).toBe(1);
    expect(decisions(events).map((event) => [event.decision, event.action])).toEqual([['allow', 'files.read']]);
    const replayed = await sent.again();
    expect([replayed.status, replayed.json?.reason]).toEqual([401, 'dpop_replay']);
  });

  it.skipIf(name === 'fastify')(
    'two actions: both are authorized on the one proof — admitted with both, refused without the second',
    async () => {
      const events: AuditEvent[] = [];
      running = await builds[name]!(events, 'files.read', 'files.export');
      const both = await fixture.as.mint({
        jkt: fixture.key.jkt,
        capabilities: [{ action: 'files.read' }, { action: 'files.export' }],
      });
      const sent = await get(both);
      expect([sent.first.status, sent.first.json]).toEqual([200, { report: true }]);
      const replayed = await sent.again();
      expect([replayed.status, replayed.json?.reason]).toEqual([401, 'dpop_replay']);
      const readOnly = await fixture.as.mint({ jkt: fixture.key.jkt, capabilities: [{ action: 'files.read' }] });
      const refused = (await get(readOnly)).first;
      expect([refused.status, refused.json?.reason]).toEqual([403, 'capability_missing']);
    },
  );
});

/**
 * `POST /v1/publish` (`cms.publish`, held for approval) declared twice by one guard; answers `{ published: title }`.
 */
const posts: Record<string, (events: AuditEvent[]) => Promise<Listening & { readonly guard: Guard }>> = {
  async express(events) {
    const aap = expressGuard(fixture.options(events));
    const v1 = express.Router();
    v1.use(aap.require('cms.publish'));
    v1.post(
      '/publish',
      aap.require('cms.publish'),
      express.json(),
      (req, res) => void res.json({ published: (req.body as { title?: string }).title }),
    );
    const app = express();
    app.use(aap);
    app.use('/v1', v1);
    return Object.assign(await listen(createServer(app), aap.guard), { guard: aap.guard });
  },
  async koa(events) {
    const aap = koaGuard(fixture.options(events));
    const v1 = new Router({ prefix: '/v1' });
    v1.use(aap.require('cms.publish'));
    v1.post('/publish', aap.require('cms.publish'), async (ctx) => {
      const parts: Buffer[] = [];
      for await (const chunk of ctx.req) parts.push(chunk as Buffer);
      ctx.body = { published: (JSON.parse(Buffer.concat(parts).toString('utf8')) as { title?: string }).title };
    });
    const app = new Koa();
    app.use(aap).use(v1.routes());
    return Object.assign(await listen(createServer(app.callback()), aap.guard), { guard: aap.guard });
  },
  async fastify(events) {
    const guard: Guard = createGuard(fixture.options(events));
    const app = Fastify();
    await app.register(fastifyGuard, { guard });
    await app.register(async (inner) => {
      await inner.register(fastifyGuard, { guard });
      inner.post('/v1/publish', { config: { aap: { action: 'cms.publish' } } }, async (request) => ({
        published: (request.body as { title?: string }).title,
      }));
    });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    return { url, guard, close: async () => (await app.close(), await guard.close()) };
  },
};

describe.each(Object.keys(posts))('a held action declared twice by one guard (%s)', (name) => {
  let running: Awaited<ReturnType<(typeof posts)[string]>> | undefined;
  afterEach(() => running?.close());

  it('holds it once, and admits the approved retry with the same body (never a 413)', async () => {
    const events: AuditEvent[] = [];
    running = await posts[name]!(events);
    const authorization = await heldPublishToken(fixture.as);
    const post = async (title: string, hold?: string) => {
      const body = Buffer.from(JSON.stringify({ title }));
      const headers = {
        authorization,
        'content-type': 'application/json',
        'content-length': String(body.length),
        ...(hold ? { 'aap-hold-id': hold } : {}),
      };
      const sent = await send(running!.url, { method: 'POST', path: '/v1/publish', headers, chunks: [body] });
      return { status: sent.status, body: sent.json ?? {} };
    };
    await expectHoldBoundToBody(running.guard, post);
    expect(decisions(events).map((event) => event.reason ?? event.decision)).toEqual([
      'approval_required',
      'hold_mismatch',
      'allow',
    ]);
  });
});

/**
 * The once-only rule must not swallow what the second declaration adds: a router-wide `aap.require('files.read')`
 * then the route's own `aap.require('files.read', { pop: 'required' })` are two checks — a bearer token that the
 * first admitted is refused by the second (it was admitted: the comparison left `pop` out).
 */
const stricter: Record<string, (events: AuditEvent[]) => Promise<Listening>> = {
  async express(events) {
    const aap = expressGuard(fixture.options(events));
    const files = express.Router();
    files.use(aap.require('files.read'));
    files.get(
      '/report',
      aap.require('files.read', { pop: 'required' }),
      (_req, res) => void res.json({ report: true }),
    );
    const app = express();
    app.use(aap);
    app.use('/files', files);
    return listen(createServer(app), aap.guard);
  },
  async koa(events) {
    const aap = koaGuard(fixture.options(events));
    const files = new Router({ prefix: '/files' });
    files.use(aap.require('files.read'));
    files.get('/report', aap.require('files.read', { pop: 'required' }), (ctx) => void (ctx.body = { report: true }));
    const app = new Koa();
    app.use(aap).use(files.routes());
    return listen(createServer(app.callback()), aap.guard);
  },
};

describe.each(Object.keys(stricter))('a second declaration that asks for more is checked in full (%s)', (name) => {
  let running: Listening | undefined;
  afterEach(() => running?.close());

  it("the route's pop: 'required' refuses the bearer token the router-wide declaration admitted", async () => {
    running = await stricter[name]!([]);
    const token = await fixture.as.mint({ capabilities: [{ action: 'files.read' }] });
    const res = await send(running.url, { path: '/files/report', headers: { authorization: `Bearer ${token}` } });
    expect([res.status, res.json?.reason]).toEqual([401, 'pop_required']);
  });
});
