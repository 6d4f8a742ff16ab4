/**
 * Regression (issue 25, item 2): an app-wide guard with `undeclared: 'allow'` and a declaration wrapped in
 * another function (`(req, res, next) => declaration(req, res, next)`, as frameworks built on Express do —
 * NestJS wraps every middleware) answered a held action's 13-byte JSON body with 413 `request_too_large`,
 * and logged nothing. The wrapper hides the declaration from the app-wide middleware's route resolution:
 * the route looked undeclared, so the middleware settled the request at once (its stateful step ran, its
 * audit event was emitted, the body tap let go of the bytes it kept) — then the wrapped declaration ran a
 * second, whole check, whose body digest found the bytes gone and called the body too large. The same
 * second run replayed a DPoP proof (401 `dpop_replay` for a fresh proof) and emitted a second audit event.
 * Now an authenticated request whose route the middleware does not see declared stays open — its proof
 * consumed at once, as before — and a declaration of the same guard that runs later continues it: one
 * pipeline run, one audit event. Express and Koa (Fastify's declarations are route config, never wrapped).
 */
import { createServer } from 'node:http';
import type { AuditEvent } from '@aap-guard/core';
import { aapGuard as expressGuard } from '@aap-guard/express';
import { aapGuard as koaGuard } from '@aap-guard/koa';
import { dpopProof } from '@aap-guard/testing';
import Router from '@koa/router';
import express from 'express';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import {
  bearer,
  expectHoldBoundToBody,
  heldPublishToken,
  listen,
  send,
  useAuditedIssuer,
  type Listening,
} from '../adapters/kit.js';

const fixture = useAuditedIssuer();

/** A listening app: a global guard (`undeclared: 'allow'`), `POST /v1/publish` behind a WRAPPED declaration. */
type Build = (events: AuditEvent[]) => Promise<Listening & { readonly guard: import('@aap-guard/core').Guard }>;

const builds: Record<string, Build> = {
  async express(events) {
    const aap = expressGuard({ ...fixture.options(events), undeclared: 'allow' });
    const declaration = aap.require('cms.publish');
    const wrapped: express.RequestHandler = (req, res, next) => declaration(req, res, next);
    const app = express();
    app.use(aap);
    app.use(express.json());
    app.post(
      '/v1/publish',
      wrapped,
      (req, res) => void res.json({ published: (req.body as { title?: string }).title }),
    );
    return Object.assign(await listen(createServer(app), aap.guard), { guard: aap.guard });
  },
  async koa(events) {
    const aap = koaGuard({ ...fixture.options(events), undeclared: 'allow' });
    const declaration = aap.require('cms.publish');
    const router = new Router();
    router.post(
      '/v1/publish',
      (ctx, next) => declaration(ctx, next),
      async (ctx) => {
        const parts: Buffer[] = [];
        for await (const chunk of ctx.req) parts.push(chunk as Buffer);
        ctx.body = { published: (JSON.parse(Buffer.concat(parts).toString('utf8')) as { title?: string }).title };
      },
    );
    const app = new Koa();
    app.use(aap).use(router.routes());
    return Object.assign(await listen(createServer(app.callback()), aap.guard), { guard: aap.guard });
  },
};

describe.each(Object.keys(builds))('a wrapped declaration behind a global guard in allow mode (%s)', (name) => {
  let running: Awaited<ReturnType<Build>> | undefined;
  afterEach(() => running?.close());

  it('holds a held action with a 13-byte JSON body (403, hold id), never 413; approval binds the body', async () => {
    const events: AuditEvent[] = [];
    running = await builds[name]!(events);
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
    const first = await post('a');
    expect(Buffer.byteLength(JSON.stringify({ title: 'a' }))).toBe(13);
    expect([first.status, first.body.reason]).toEqual([403, 'approval_required']);
    const decisions = events.filter((event) => event.kind !== 'hold'); // a hold's creation is an event of its own
    expect(decisions.map((event) => event.reason)).toEqual(['approval_required']); // one pipeline run
    await expectHoldBoundToBody(running.guard, post);
  });

  it('admits a DPoP-bound request with a fresh proof (never a replay of its own proof), one audit event', async () => {
    const events: AuditEvent[] = [];
    running = await builds[name]!(events);
    const token = await fixture.as.mint({ jkt: fixture.key.jkt, capabilities: [{ action: 'cms.publish' }] });
    const url = `${running.url}/v1/publish`;
    const proof = await dpopProof({ key: fixture.key, method: 'POST', url, accessToken: token });
    const body = Buffer.from(JSON.stringify({ title: 'a' }));
    const headers = {
      authorization: `DPoP ${token}`,
      dpop: proof,
      'content-type': 'application/json',
      'content-length': String(body.length),
    };
    const sent = await send(running.url, { method: 'POST', path: '/v1/publish', headers, chunks: [body] });
    expect([sent.status, sent.json]).toEqual([200, { published: 'a' }]);
    await expect.poll(() => events.length).toBe(1);
    expect(events.map((event) => [event.decision, event.action])).toEqual([['allow', 'cms.publish']]);
    const replayed = await send(running.url, { method: 'POST', path: '/v1/publish', headers, chunks: [body] });
    expect([replayed.status, replayed.json?.reason]).toEqual([401, 'dpop_replay']);
  });

  it('still authenticates an undeclared route only (allow mode): one audit event once the response ended', async () => {
    const events: AuditEvent[] = [];
    running = await builds[name]!(events);
    const sent = await send(running.url, {
      method: 'GET',
      path: '/v1/nowhere',
      headers: { authorization: bearer(await fixture.as.mint({ capabilities: [{ action: 'cms.publish' }] })) },
    });
    expect(sent.status).toBe(404);
    await expect.poll(() => events.length).toBe(1);
  });
});
