/**
 * Security Event Tokens that revoke (RFC 8417), pushed to each adapter's receiver over real HTTP
 * (RFC 8935) and polled from a transmitter (RFC 8936): valid, forged, replayed, for another audience,
 * from an untrusted issuer, an access token posted as a SET, the transmitter's own authentication, and
 * the CAEP / RISC subject identifiers. Nothing is applied from a SET that did not verify.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';
import { createGuard, memoryStore, type AuditEvent, type Guard } from '@aap-guard/core';
import {
  AAP_REVOCATION_EVENT,
  CAEP_SESSION_REVOKED,
  RISC_CREDENTIAL_COMPROMISE,
  securityEventReceiver,
} from '@aap-guard/core/events';
import { memoryRevocations } from '@aap-guard/core/store';
import { aapEvents as expressEvents, aapGuard } from '@aap-guard/express';
import { aapEvents as fastifyEvents } from '@aap-guard/fastify';
import { aapEvents } from '@aap-guard/koa';
import { createIssuer, signSecurityEvent, type TestIssuer } from '@aap-guard/testing';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { revocationsOf } from '../../packages/core/src/surfaces/events/event-types.js';
import { until } from '../helpers/until.js';

const AUD = 'https://api.example.com';
const KEY = 'transmitter-secret';
let issuer: TestIssuer;
let stranger: TestIssuer;
beforeAll(async () => {
  issuer = await createIssuer();
  stranger = await createIssuer({ issuer: 'https://evil.example.com' });
});
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

interface Mounted {
  readonly url: string;
  readonly guard: Guard;
  readonly audits: AuditEvent[];
}
const authorize = (header: unknown) =>
  header === `Bearer ${KEY}` ? true : header === 'Bearer read-only' ? ('forbidden' as const) : false;

function guardWithAudit(): { guard: Guard; audits: AuditEvent[] } {
  const audits: AuditEvent[] = [];
  const guard = createGuard({
    issuer: issuer.issuer,
    audience: AUD,
    jwks: issuer.jwks,
    logger: false,
    audit: (event) => audits.push(event),
  });
  closers.push(() => guard.close());
  return { guard, audits };
}

function listen(server: Server): Promise<string> {
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

/** Each adapter with its receiver at /aap-events, mounted before a guarded route. */
const ADAPTERS: Record<string, () => Promise<Mounted>> = {
  express: async () => {
    const { guard, audits } = guardWithAudit();
    const aap = aapGuard({ guard });
    const app = express();
    app.use('/aap-events', expressEvents({ guard, authorize: (req) => authorize(req.get('authorization')) }));
    app.use(aap);
    app.get('/x', aap.require('search.web'), (_req, res) => void res.json({ ok: true }));
    return { url: await listen(createServer(app)), guard, audits };
  },
  fastify: async () => {
    const { guard, audits } = guardWithAudit();
    const app = Fastify();
    await app.register(fastifyEvents({ guard, authorize: (req) => authorize(req.headers.authorization) }), {
      prefix: '/aap-events',
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    closers.push(() => app.close());
    return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, guard, audits };
  },
  koa: async () => {
    const { guard, audits } = guardWithAudit();
    const app = new Koa();
    app.use(aapEvents({ guard, authorize: (ctx) => authorize(ctx.get('authorization')) }));
    app.use((ctx) => void (ctx.body = { app: true }));
    return { url: await listen(createServer(app.callback())), guard, audits };
  },
};

const push = (url: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/aap-events`, {
    method: 'POST',
    headers: { 'content-type': 'application/secevent+jwt', authorization: `Bearer ${KEY}`, ...headers },
    body,
  });

const revokeTask = (
  taskId: string,
  extra: Parameters<typeof signSecurityEvent>[1] extends infer O ? Partial<O> : never = {},
) => signSecurityEvent(issuer, { audience: AUD, events: { [AAP_REVOCATION_EVENT]: { task_id: taskId } }, ...extra });

const errOf = async (res: Response): Promise<string> => ((await res.json()) as { err: string }).err;

const check = (guard: Guard, token: string) =>
  guard.check(
    { method: 'GET', url: `${AUD}/x`, headers: { authorization: `Bearer ${token}` } },
    { action: 'search.web' },
  );

describe.each(Object.keys(ADAPTERS))('SET push (RFC 8935) to the %s receiver', (name) => {
  it('a valid SET is acknowledged with 202 and revokes the task at once', async () => {
    const { url, guard } = await ADAPTERS[name]!();
    const token = await issuer.mint({ taskId: 'task-push', capabilities: [{ action: 'search.web' }] });
    expect((await check(guard, token)).allowed).toBe(true);
    const res = await push(url, await revokeTask('task-push'));
    expect([res.status, await res.text()]).toEqual([202, '']);
    expect((await check(guard, token)).reason).toBe('token_revoked');
    expect((await guard.revocations.list()).map(({ kind, value, by }) => [kind, value, by])).toEqual([
      ['task', 'task-push', `set:${issuer.issuer}`],
    ]);
  });

  it('a forged SET (another key, same iss) is 400 invalid_key and applies nothing', async () => {
    const { url, guard } = await ADAPTERS[name]!();
    const forger = await createIssuer({ issuer: issuer.issuer, kid: issuer.kid });
    const forged = await signSecurityEvent(forger, {
      audience: AUD,
      events: { [AAP_REVOCATION_EVENT]: { task_id: 'task-forged' } },
    });
    const res = await push(url, forged);
    expect([res.status, await errOf(res)]).toEqual([400, 'invalid_key']);
    expect(await guard.revocations.list()).toEqual([]);
  });

  it('a replayed SET is acknowledged again but applied once', async () => {
    const { url, guard, audits } = await ADAPTERS[name]!();
    const set = await revokeTask('task-replayed');
    expect((await push(url, set)).status).toBe(202);
    const applied = audits.length;
    expect((await push(url, set)).status).toBe(202);
    expect(audits.length).toBe(applied);
    expect(await guard.revocations.list()).toHaveLength(1);
  });

  it('a SET for another audience, from an untrusted issuer, stale, or an access token posted as one: 400, nothing applied', async () => {
    const { url, guard } = await ADAPTERS[name]!();
    const cases: [string, string][] = [
      [await revokeTask('t1', { audience: 'https://other-api.example.com' }), 'invalid_audience'],
      [
        await signSecurityEvent(stranger, { audience: AUD, events: { [AAP_REVOCATION_EVENT]: { task_id: 't2' } } }),
        'invalid_issuer',
      ],
      [await revokeTask('t3', { iat: Math.floor(Date.now() / 1000) - 3_600 }), 'invalid_request'],
      [await issuer.mint({ claims: { events: { [AAP_REVOCATION_EVENT]: { task_id: 't4' } } } }), 'invalid_request'],
      [await signSecurityEvent(issuer, { audience: AUD, events: { [AAP_REVOCATION_EVENT]: {} } }), 'invalid_request'],
      ['not a jwt', 'invalid_request'],
    ];
    for (const [body, err] of cases) {
      const res = await push(url, body);
      expect([res.status, await errOf(res)]).toEqual([400, err]);
    }
    const wrongType = await push(url, await revokeTask('t5'), { 'content-type': 'application/json' });
    expect([wrongType.status, await errOf(wrongType)]).toEqual([400, 'invalid_request']);
    expect(await guard.revocations.list()).toEqual([]);
  });

  it("the transmitter's HTTP authentication: none is 401 authentication_failed, a forbidden one 403 access_denied", async () => {
    const { url, guard } = await ADAPTERS[name]!();
    const none = await push(url, await revokeTask('t1'), { authorization: '' });
    expect([none.status, await errOf(none), none.headers.get('www-authenticate')]).toEqual([
      401,
      'authentication_failed',
      'Bearer',
    ]);
    const forbidden = await push(url, await revokeTask('t1'), { authorization: 'Bearer read-only' });
    expect([forbidden.status, await errOf(forbidden)]).toEqual([403, 'access_denied']);
    expect(await guard.revocations.list()).toEqual([]);
  });
});

describe('event types', () => {
  it('CAEP session-revoked and RISC credential-compromise with a jwt_id subject revoke that token', async () => {
    const { guard } = guardWithAudit();
    const receiver = securityEventReceiver(guard);
    const token = await issuer.mint();
    const { jti } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { jti: string };
    const subject = { format: 'jwt_id', iss: issuer.issuer, jti };
    const caep = await signSecurityEvent(issuer, {
      audience: AUD,
      events: { [CAEP_SESSION_REVOKED]: { subject, event_timestamp: 1 } },
    });
    expect(await receiver.process(caep)).toMatchObject({ kind: 'applied' });
    expect((await check(guard, token)).reason).toBe('token_revoked');
    const risc = await signSecurityEvent(issuer, {
      audience: AUD,
      claims: { sub_id: { format: 'jwt_id', iss: issuer.issuer, jti: 'other' } },
      events: { [RISC_CREDENTIAL_COMPROMISE]: { credential_type: 'bearer-token' } },
    });
    expect(await receiver.process(risc)).toMatchObject({ kind: 'applied' });
    expect((await guard.revocations.list()).map((entry) => entry.value).sort()).toEqual([jti, 'other'].sort());
  });

  it('subjects map to revocation keys: iss_sub → the user, aliases → each; other formats and other issuers are invalid', () => {
    const of = (subject: unknown) =>
      revocationsOf({ iss: issuer.issuer, events: { [CAEP_SESSION_REVOKED]: { subject } } }).keys;
    expect(of({ format: 'iss_sub', iss: issuer.issuer, sub: 'user-42' })).toEqual([
      { sub: 'user-42', issuer: issuer.issuer },
    ]);
    expect(
      of({
        format: 'aliases',
        identifiers: [
          { format: 'jwt_id', iss: issuer.issuer, jti: 'j1' },
          { format: 'iss_sub', iss: issuer.issuer, sub: 'u' },
        ],
      }),
    ).toEqual([
      { jti: 'j1', issuer: issuer.issuer },
      { sub: 'u', issuer: issuer.issuer },
    ]);
    expect(() => of({ format: 'email', email: 'a@example.com' })).toThrow(/subject format/);
    expect(() => of({ format: 'jwt_id', iss: 'https://evil.example.com', jti: 'j' })).toThrow(
      /other than the SET issuer/,
    );
    const aap = revocationsOf({
      iss: issuer.issuer,
      events: { [AAP_REVOCATION_EVENT]: { agent_id: 'a', grant_id: 'g', parent_jti: 'p', until: 2_000_000_000 } },
    });
    expect([aap.keys, aap.until]).toEqual([
      [{ agentId: 'a', grantId: 'g', parentJti: 'p', issuer: issuer.issuer }],
      2_000_000_000_000,
    ]);
  });

  it('a SET whose events are all unknown is acknowledged and changes nothing', async () => {
    const { guard } = guardWithAudit();
    const set = await signSecurityEvent(issuer, {
      audience: AUD,
      events: { 'https://schemas.openid.net/secevent/ssf/event-type/verification': { state: 'x' } },
    });
    expect(await securityEventReceiver(guard).process(set)).toMatchObject({ kind: 'ignored' });
    expect(await guard.revocations.list()).toEqual([]);
  });
});

describe('delivery', () => {
  it('a SET whose first delivery failed half-way (store fault after the claim) is applied by the redelivery, not lost as a duplicate', async () => {
    const revocations = memoryRevocations();
    let failures = 1;
    const flaky = {
      ...revocations,
      add: async (entry: Parameters<typeof revocations.add>[0]) =>
        failures-- > 0 ? Promise.reject(new Error('store down')) : revocations.add(entry),
    };
    const guard = createGuard({
      issuer: issuer.issuer,
      audience: AUD,
      jwks: issuer.jwks,
      logger: false,
      store: { ...memoryStore(), revocations: flaky },
    });
    closers.push(() => guard.close());
    const receiver = securityEventReceiver(guard);
    const set = await revokeTask('task-retried');
    expect(await receiver.process(set)).toMatchObject({ kind: 'unavailable' });
    const pushed = await receiver.push(undefined, {
      headers: { 'content-type': 'application/secevent+jwt' },
      body: set,
    });
    expect(pushed.status).toBe(202);
    expect((await guard.revocations.list()).map((entry) => entry.value)).toEqual(['task-retried']);
  });

  it('a store outage while claiming is a 503 with Retry-After: the transmitter delivers again, nothing is applied', async () => {
    const store = memoryStore();
    const guard = createGuard({
      issuer: issuer.issuer,
      audience: AUD,
      jwks: issuer.jwks,
      logger: false,
      store: { ...store, consume: () => Promise.reject(new Error('redis down')) },
    });
    closers.push(() => guard.close());
    const pushed = await securityEventReceiver(guard).push(undefined, {
      headers: { 'content-type': 'application/secevent+jwt' },
      body: await revokeTask('task-x'),
    });
    expect([pushed.status, pushed.headers['retry-after']]).toEqual([503, '5']);
    expect(await guard.revocations.list()).toEqual([]);
  });
});

describe('SET poll (RFC 8936)', () => {
  it('polls the transmitter, applies verified SETs, acknowledges them and reports refused ones in setErrs', async () => {
    const { guard } = guardWithAudit();
    const good = await revokeTask('task-polled', { jti: 'set-good' });
    const forged = await signSecurityEvent(await createIssuer({ issuer: issuer.issuer, kid: issuer.kid }), {
      audience: AUD,
      jti: 'set-forged',
      events: { [AAP_REVOCATION_EVENT]: { task_id: 'task-forged' } },
    });
    const queue = new Map([
      ['set-good', good],
      ['set-forged', forged],
    ]);
    const requests: { ack: string[]; setErrs?: Record<string, { err: string }>; authorization?: string }[] = [];
    const transmitter = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk) => (text += chunk));
      req.on('end', () => {
        const body = JSON.parse(text);
        requests.push({ ...body, authorization: req.headers.authorization });
        for (const jti of [...body.ack, ...Object.keys(body.setErrs ?? {})]) queue.delete(jti);
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ sets: Object.fromEntries(queue), moreAvailable: false }));
      });
    });
    const url = await listen(transmitter);
    const poller = securityEventReceiver(guard).poll({
      endpoint: `${url}/poll`,
      headers: { authorization: 'Bearer poll-token' },
      intervalMs: 20,
    });
    closers.push(() => poller.stop());
    await until(async () => queue.size === 0, 5_000);
    await poller.stop();
    expect((await guard.revocations.list()).map((entry) => entry.value)).toEqual(['task-polled']);
    expect(requests[0]).toMatchObject({ ack: [], authorization: 'Bearer poll-token', returnImmediately: true });
    const acknowledging = requests.find((r) => r.ack.length > 0)!;
    expect(acknowledging.ack).toEqual(['set-good']);
    expect(acknowledging.setErrs).toEqual({ 'set-forged': { err: 'invalid_key', description: expect.any(String) } });
  });

  it('a failing poll endpoint is retried with backoff and logged once, never an unhandled rejection', async () => {
    const lines: string[] = [];
    const guard = createGuard({
      issuer: issuer.issuer,
      audience: AUD,
      jwks: issuer.jwks,
      delegation: { unknownParent: 'allow-audited' },
      logger: {
        error: (f) => void lines.push(String(f.event)),
        warn: () => undefined,
        info: (f) => void lines.push(String(f.event)),
        debug: () => undefined,
      },
    });
    closers.push(() => guard.close());
    const server = createServer((_req, res) => void res.writeHead(500).end());
    const url = await listen(server);
    const poller = securityEventReceiver(guard).poll({ endpoint: `${url}/poll`, intervalMs: 10 });
    await until(async () => lines.length > 0, 2_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await poller.stop();
    expect(lines).toEqual(['security-events-poll.down']);
  });
});
