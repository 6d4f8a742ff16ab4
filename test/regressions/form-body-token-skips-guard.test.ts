/**
 * Regression (issue 23, defect 1): an agent token in a form body skipped the guard. With
 * `authRequired: false` (coexistence) an agent moved its token from `Authorization` into an
 * `application/x-www-form-urlencoded` body (`access_token=…`, RFC 6750 §2.2): the guard saw no credential
 * and passed the request on, the app's own login (express-oauth2-jwt-bearer accepts form-body tokens by
 * default) admitted it, and a REVOKED token whose action needs human approval completed with no hold, no
 * revocation check and no capability check. `RequestInfo.bodyAccessToken` was never set by any adapter.
 *
 * A token in a form body is now refused (400 `credentials_in_query`) before the app's login runs, whether
 * the guard runs before the app's body parser (the core reads the form through its body tap, and the
 * parser still gets every byte) or after it (the adapter hands the parsed body to the core). Over real
 * HTTP on every adapter, both orders. Fastify's `onRequest` hook always runs before body parsing, so its
 * two orders differ only in when the content-type parser is registered.
 */
import { createServer } from 'node:http';
import Router from '@koa/router';
import type { AuditEvent, Guard } from '@aap-guard/core';
import { aapGuard as expressGuard } from '@aap-guard/express';
import { aapGuard as fastifyGuard } from '@aap-guard/fastify';
import { aapGuard as koaGuard } from '@aap-guard/koa';
import express from 'express';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import Koa, { type Context } from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { listen, send, useAuditedIssuer, type Listening } from '../adapters/kit.js';
import { frameworkVersions } from '../adapters/versions.js';

const fixture = useAuditedIssuer();
/** Express 4, from the `express4` npm alias, when it is installed. */
const [, EXPRESS_4] = await frameworkVersions('Express', 'express', express, { alias: 'express4', major: '4' });
const FORM = 'application/x-www-form-urlencoded';
const API_KEY = 'app-key-1';

/** Guard first: the body is not read yet when the guard runs. Parser first: the guard sees the parsed body. */
type Order = 'guard first' | 'parser first';

interface App extends Listening {
  readonly guard: Guard;
  /** `<route>:<who the app admitted>`, for every handler that ran. */
  readonly handled: string[];
}

/**
 * The app's own login, after the guard: the guard's principal, else a form-body (or any body) `access_token`
 * — as express-oauth2-jwt-bearer does by default — else an API key.
 */
function login(principal: unknown, body: unknown, apiKey: unknown): string | undefined {
  if (principal) return 'agent';
  if (typeof (body as { access_token?: unknown } | undefined)?.access_token === 'string') return 'body-token';
  return apiKey === API_KEY ? 'api-key' : undefined;
}

interface Answer {
  readonly status: number;
  readonly json: object;
}

/** Answer for a route: 401 of the app's own without a login, else `{ who, body }`. */
function answer(handled: string[], route: string, who: string | undefined, body: unknown): Answer {
  if (!who) return { status: 401, json: { app: 'login required' } };
  handled.push(`${route}:${who}`);
  return { status: 200, json: { who, body: body ?? null } };
}

const guardOptions = (events: AuditEvent[]) => ({ ...fixture.options(events), authRequired: false });

const builds: Record<string, (order: Order, events: AuditEvent[]) => Promise<App>> = {
  async express(order, events) {
    const aap = expressGuard(guardOptions(events));
    const app = express();
    const parsers = [express.urlencoded({ extended: false, limit: '1mb' }), express.json()];
    if (order === 'parser first') app.use(...parsers);
    app.use(aap);
    if (order === 'guard first') app.use(...parsers);
    const handled: string[] = [];
    const route =
      (name: string): express.RequestHandler =>
      (req, res) => {
        const { status, json } = answer(handled, name, login(req.aap, req.body, req.headers['x-api-key']), req.body);
        res.status(status).json(json);
      };
    app.post('/v1/publish', aap.require('cms.publish', { agentsOnly: false }), route('publish'));
    app.post('/open', aap.public(), route('open'));
    return { ...(await listen(createServer(app), aap.guard)), guard: aap.guard, handled };
  },
  async fastify(order, events) {
    const app = Fastify();
    const parse = (_request: unknown, body: string | Buffer, done: (error: null, body: unknown) => void) =>
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    const formParser = (instance: FastifyInstance) => instance.addContentTypeParser(FORM, { parseAs: 'string' }, parse);
    if (order === 'parser first') formParser(app);
    await app.register(fastifyGuard, guardOptions(events));
    if (order === 'guard first') formParser(app);
    const handled: string[] = [];
    const route = (name: string) => async (request: FastifyRequest, reply: FastifyReply) => {
      const who = login(request.aap, request.body, request.headers['x-api-key']);
      const { status, json } = answer(handled, name, who, request.body);
      return reply.status(status).send(json);
    };
    app.post('/v1/publish', { config: { aap: { action: 'cms.publish', agentsOnly: false } } }, route('publish'));
    app.post('/open', { config: { aap: false } }, route('open'));
    await app.ready();
    return { ...(await listen(app.server, app.aap.guard)), guard: app.aap.guard, handled };
  },
  async koa(order, events) {
    const aap = koaGuard(guardOptions(events));
    const handled: string[] = [];
    const route = (name: string) => (ctx: Context) => {
      const body = (ctx.request as { body?: unknown }).body;
      const { status, json } = answer(handled, name, login(ctx.state.aap, body, ctx.get('x-api-key')), body);
      ctx.status = status;
      ctx.body = json;
    };
    const router = new Router();
    router.post('/v1/publish', aap.require('cms.publish', { agentsOnly: false }), route('publish'));
    router.post('/open', aap.public(), route('open'));
    const app = new Koa();
    if (order === 'parser first') app.use(koaBodyParser);
    app.use(aap);
    if (order === 'guard first') app.use(koaBodyParser);
    app.use(router.routes());
    return { ...(await listen(createServer(app.callback()), aap.guard)), guard: aap.guard, handled };
  },
};

/** A small Koa body parser (form and JSON), as koa-bodyparser would leave `ctx.request.body`. */
async function koaBodyParser(ctx: Context, next: () => Promise<unknown>): Promise<void> {
  const type = ctx.is(FORM, 'application/json');
  if (type) {
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body: unknown = type === FORM ? Object.fromEntries(new URLSearchParams(text)) : JSON.parse(text);
    (ctx.request as { body?: unknown }).body = body;
  }
  await next();
}

const orders: readonly Order[] = ['guard first', 'parser first'];
const cases = Object.keys(builds).flatMap((name) => orders.map((order) => [name, order] as const));

describe.each(cases)('a token in a form body (%s, %s)', (name, order) => {
  let running: App | undefined;
  afterEach(() => running?.close());
  const start = async () => (running = await builds[name]!(order, []));
  const post = (path: string, body: string, headers: Record<string, string> = {}) => {
    const all = { 'content-type': FORM, ...headers };
    return send(running!.url, { method: 'POST', path, headers: all, chunks: [Buffer.from(body)] });
  };

  it('a revoked token whose action needs approval is refused before the app logs it in (400)', async () => {
    await start();
    const oversight = { requires_human_approval_for: ['cms.publish'] };
    const capabilities = [{ action: 'cms.publish' }];
    const token = await fixture.as.mint({ taskId: 'task-revoked', capabilities, sections: { oversight } });
    await running!.guard.revoke({ taskId: 'task-revoked' });
    const inHeader = await post('/v1/publish', 'title=hello', { authorization: `Bearer ${token}` });
    expect([inHeader.status, inHeader.json?.reason]).toEqual([401, 'token_revoked']);
    const inBody = await post('/v1/publish', `title=hello&access_token=${token}`);
    expect([inBody.status, inBody.json?.reason]).toEqual([400, 'credentials_in_query']);
    const encoded = await post('/v1/publish', `access%5Ftoken=${token}`);
    expect([encoded.status, encoded.json?.reason]).toEqual([400, 'credentials_in_query']);
    const type = { 'content-type': 'Application/X-WWW-Form-URLencoded; charset=UTF-8' };
    const typed = await post('/v1/publish', `access_token=${token}`, type);
    expect([typed.status, typed.json?.reason]).toEqual([400, 'credentials_in_query']);
    expect(running!.handled).toEqual([]);
  });

  it('a form-body token beside a header token is two methods (400 credentials_in_query)', async () => {
    await start();
    const token = await fixture.as.mint({ capabilities: [{ action: 'cms.publish' }] });
    const both = await post('/v1/publish', `access_token=${token}`, { authorization: `Bearer ${token}` });
    expect([both.status, both.json?.reason]).toEqual([400, 'credentials_in_query']);
    const header = await post('/v1/publish', 'title=hello', { authorization: `Bearer ${token}` });
    expect([header.status, header.json]).toEqual([200, { who: 'agent', body: { title: 'hello' } }]);
    expect(running!.handled).toEqual(['publish:agent']);
  });

  it("a form body without a token goes on to the app's login, and the app's parser gets every byte", async () => {
    await start();
    const title = `é&=+ ${'x'.repeat(60_000)}`;
    const body = new URLSearchParams({ title, n: '1' }).toString();
    const sent = await post('/v1/publish', body, { 'x-api-key': API_KEY });
    expect([sent.status, sent.json]).toEqual([200, { who: 'api-key', body: { title, n: '1' } }]);
    const refused = await post('/v1/publish', 'title=hello');
    expect([refused.status, refused.json]).toEqual([401, { app: 'login required' }]); // the app's own 401
    expect(running!.handled).toEqual(['publish:api-key']);
  });

  it('a JSON body is not a token; a public route is never inspected', async () => {
    await start();
    const token = await fixture.as.mint({ capabilities: [{ action: 'cms.publish' }] });
    const json = await send(running!.url, {
      method: 'POST',
      path: '/v1/publish',
      headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
      chunks: [Buffer.from(JSON.stringify({ access_token: 'x' }))],
    });
    expect(json.status).toBe(200);
    const open = await post('/open', `access_token=${token}`);
    expect([open.status, open.json?.who]).toEqual([200, 'body-token']);
  });

  it('a form body too large to read: refused without a header token, else the token decides', async () => {
    await start();
    const token = await fixture.as.mint({ capabilities: [{ action: 'cms.publish' }] });
    const large = `title=${'x'.repeat(150_000)}`;
    const parsedFirst = order === 'parser first' && name !== 'fastify'; // the parsed body is what the guard inspects
    const anonymous = await post('/v1/publish', large, { 'x-api-key': API_KEY });
    const refused = parsedFirst ? [200, undefined] : [413, 'form_body_too_large'];
    expect([anonymous.status, anonymous.json?.reason]).toEqual(refused);
    const chunked = await send(running!.url, {
      method: 'POST',
      path: '/v1/publish',
      headers: { 'content-type': FORM, 'transfer-encoding': 'chunked', 'x-api-key': API_KEY },
      chunks: [Buffer.from(large.slice(0, 70_000)), Buffer.from(large.slice(70_000))],
    });
    expect([chunked.status, chunked.json?.reason]).toEqual(refused);
    const withHeader = await post('/v1/publish', large, { authorization: `Bearer ${token}` });
    expect([withHeader.status, withHeader.json?.who]).toEqual([200, 'agent']);
    const handled = parsedFirst ? ['publish:api-key', 'publish:api-key', 'publish:agent'] : ['publish:agent'];
    expect(running!.handled).toEqual(handled);
  });
});

describe('a form-body token named as only qs reads it (Express 4, a JSON parser before the guard)', () => {
  let running: Listening | undefined;
  afterEach(() => running?.close());

  // Express 4's body-parser sets `req.body = {}` for a body it skips: that says nothing about the bytes, still
  // unread, that an `extended` (qs) urlencoded parser after the guard turns into a top-level `access_token`.
  it.skipIf(!EXPRESS_4?.framework)('%5Baccess_token%5D=… is refused (400 credentials_in_query)', async () => {
    const express4 = EXPRESS_4!.framework!;
    const aap = expressGuard(guardOptions([]));
    const app = express4();
    app.use(express4.json());
    app.use(aap);
    app.use(express4.urlencoded({ extended: true }));
    const handled: string[] = [];
    app.post('/v1/publish', aap.require('cms.publish'), (req, res) => {
      const { status, json } = answer(handled, 'publish', login(req.aap, req.body, req.headers['x-api-key']), req.body);
      res.status(status).json(json);
    });
    running = await listen(createServer(app), aap.guard);
    const token = await fixture.as.mint({ taskId: 'task-revoked-4', capabilities: [{ action: 'cms.publish' }] });
    await aap.guard.revoke({ taskId: 'task-revoked-4' });
    for (const name of ['%5Baccess_token%5D', 'access_token']) {
      const body = Buffer.from(`${name}=${token}`);
      const typed = { 'content-type': FORM };
      const sent = await send(running.url, { method: 'POST', path: '/v1/publish', headers: typed, chunks: [body] });
      expect([sent.status, sent.json?.reason], name).toEqual([400, 'credentials_in_query']);
    }
    expect(handled).toEqual([]);
  });
});
