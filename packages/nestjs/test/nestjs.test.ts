/**
 * @aap-guard/nestjs in a real Nest app (Express and Fastify platforms), over real HTTP with real tokens:
 * declared, public and undeclared handlers; denies written with their headers and no error log; holds
 * bound to the exact body Nest's parser consumed; size limits; `forRootAsync`.
 */
import type { AuditEvent } from '@aap-guard/core';
import { createDpopKey, createIssuer, dpopProof, type DpopKey, type TestIssuer } from '@aap-guard/testing';
import { Injectable, Module } from '@nestjs/common';
import { AAP_GUARD, AapModule } from '@aap-guard/nestjs';
import { Test } from '@nestjs/testing';
import type { Guard } from '@aap-guard/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bearer, expectHoldBoundToBody, heldPublishToken, send, type Sent } from '../../../test/adapters/kit.js';
import { ApiController, guardOptions, startNest, type NestRunning, type Platform } from './app.js';

let as: TestIssuer;
let key: DpopKey;
beforeAll(async () => {
  as = await createIssuer();
  key = await createDpopKey();
});
let running: NestRunning | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const search = async (scope: string[] = ['search.web']) =>
  bearer(await as.mint({ capabilities: scope.map((action) => ({ action })) }));
const json = (body: unknown) => Buffer.from(JSON.stringify(body));

/** POST a JSON body (with Content-Length) to `path`. */
function post(
  url: string,
  path: string,
  authorization: string | undefined,
  body: Buffer,
  extra: Record<string, string> = {},
): Promise<Sent> {
  const headers = {
    'content-type': 'application/json',
    'content-length': String(body.length),
    ...(authorization ? { authorization } : {}),
    ...extra,
  };
  return send(url, { method: 'POST', path, headers, chunks: [body] });
}

/** No log line of Nest at level error (a deny is not an application error). */
function expectNoErrorLog(app: NestRunning): void {
  expect(
    app.logs.lines.some((line) => line.level === 'log'),
    "Nest's logger is captured",
  ).toBe(true);
  expect(app.logs.lines.filter((line) => line.level === 'error' || line.level === 'fatal')).toEqual([]);
}

describe.each<Platform>(['express', 'fastify'])('@aap-guard/nestjs on the %s platform', (platform) => {
  it('allows a declared handler whose action the token grants; @AapPrincipal() is the principal', async () => {
    running = await startNest(as, platform);
    const res = await send(running.url, { path: '/v1/search', headers: { authorization: await search() } });
    expect([res.status, res.json]).toEqual([200, { agent: expect.any(String), action: 'search.web' }]);
    expect(running.events.map((event) => [event.decision, event.action])).toEqual([['allow', 'search.web']]);
  });

  it('answers 401 without a token, with the challenge and no-store, and logs no error', async () => {
    running = await startNest(as, platform);
    const res = await send(running.url, { path: '/v1/search' });
    expect(res.status).toBe(401);
    expect(res.json).toEqual({
      error: 'invalid_token',
      error_description: expect.any(String),
      reason: 'credentials_missing',
    });
    expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expectNoErrorLog(running);
  });

  it('refuses a handler without a declaration: 401 first, then 403 route_undeclared, audited', async () => {
    running = await startNest(as, platform);
    expect((await send(running.url, { path: '/v1/whoami' })).status).toBe(401);
    const res = await send(running.url, { path: '/v1/whoami', headers: { authorization: await search() } });
    expect([res.status, res.json?.reason]).toEqual([403, 'route_undeclared']);
    expect(running.events.at(-1)).toMatchObject({
      decision: 'deny',
      reason: 'route_undeclared',
      detail: { check: 'nestjs.undeclared', path: '/v1/whoami' },
    });
    expectNoErrorLog(running);
  });

  it("with undeclared: 'allow', authenticates an undeclared handler only: request.aap without an action", async () => {
    running = await startNest(as, platform, { undeclared: 'allow' });
    const res = await send(running.url, { path: '/v1/whoami', headers: { authorization: await search() } });
    expect([res.status, res.json]).toEqual([200, { agent: expect.any(String), action: null }]);
    expect((await send(running.url, { path: '/v1/whoami' })).status).toBe(401);
  });

  it('lets @AapPublic handlers through without a token; a method @AapAction wins over its class', async () => {
    running = await startNest(as, platform);
    expect(await send(running.url, { path: '/v1/health' })).toMatchObject({ status: 200, json: { status: 'ok' } });
    expect(await send(running.url, { path: '/public' })).toMatchObject({ status: 200, json: { open: true } });
    expect((await send(running.url, { path: '/public/search' })).status).toBe(401);
    expect(
      (await send(running.url, { path: '/public/search', headers: { authorization: await search() } })).status,
    ).toBe(200);
  });

  it("refuses a token without the capability (403), and a target outside the capability's domains", async () => {
    running = await startNest(as, platform);
    const other = await send(running.url, {
      path: '/v1/search',
      headers: { authorization: await search(['files.upload']) },
    });
    expect([other.status, other.json?.error]).toEqual([403, 'aap_invalid_capability']);
    const token = bearer(
      await as.mint({ capabilities: [{ action: 'search.web', constraints: { domains_allowed: ['example.org'] } }] }),
    );
    const outside = await send(running.url, {
      path: '/v1/search?url=https%3A%2F%2Fevil.example%2F',
      headers: { authorization: token },
    });
    expect([outside.status, outside.json?.error]).toEqual([403, 'aap_domain_not_allowed']);
    const inside = await send(running.url, {
      path: '/v1/search?url=https%3A%2F%2Fexample.org%2Fx',
      headers: { authorization: token },
    });
    expect(inside.status).toBe(200);
    expectNoErrorLog(running);
  });

  it('writes a rate-limited deny with Retry-After and RateLimit headers', async () => {
    running = await startNest(as, platform);
    const token = bearer(
      await as.mint({ capabilities: [{ action: 'search.web', constraints: { max_requests_per_minute: 1 } }] }),
    );
    const first = await send(running.url, { path: '/v1/search', headers: { authorization: token } });
    expect(first.status).toBe(200);
    expect(first.headers.ratelimit).toBeDefined(); // on allowed responses too
    const second = await send(running.url, { path: '/v1/search', headers: { authorization: token } });
    expect([second.status, second.json?.reason]).toEqual([429, 'rate_limited']);
    expect(Number(second.headers['retry-after'])).toBeGreaterThan(0);
    expect(second.headers.ratelimit).toBeDefined();
    expect(second.headers['cache-control']).toBe('no-store');
    expectNoErrorLog(running);
  });

  it('holds a held action (403, hold id); the approval admits exactly the approved body, no other', async () => {
    running = await startNest(as, platform);
    const authorization = await heldPublishToken(as);
    const publish = async (title: string, hold?: string) => {
      const res = await post(
        running!.url,
        '/v1/publish',
        authorization,
        json({ title }),
        hold ? { 'aap-hold-id': hold } : {},
      );
      return { status: res.status, body: res.json ?? {} };
    };
    const held = await publish('a');
    expect([held.status, held.body.reason, typeof held.body.hold_id]).toEqual([403, 'approval_required', 'string']);
    expect((await publish('a', held.body.hold_id as string)).body.reason).toBe('hold_pending'); // not approved yet
    await expectHoldBoundToBody(running.guard, publish);
    expectNoErrorLog(running);
  });

  it("refuses a body over the capability's max_request_size: 413 by Content-Length, and when chunked", async () => {
    running = await startNest(as, platform);
    const authorization = bearer(
      await as.mint({ capabilities: [{ action: 'files.upload', constraints: { max_request_size: 64 } }] }),
    );
    const small = await post(running.url, '/v1/upload', authorization, json({ a: 1 }));
    expect([small.status, small.json]).toEqual([201, { received: 7 }]);
    const large = json({ data: 'x'.repeat(200) });
    const declared = await post(running.url, '/v1/upload', authorization, large);
    expect([declared.status, declared.json?.reason]).toEqual([413, 'request_too_large']);
    const headers = { authorization, 'content-type': 'application/json', 'transfer-encoding': 'chunked' };
    const chunked = await send(running.url, {
      method: 'POST',
      path: '/v1/upload',
      headers,
      chunks: [large.subarray(0, 100), large.subarray(100)],
    });
    expect([chunked.status, chunked.json?.reason]).toEqual([413, 'request_too_large']);
    expectNoErrorLog(running);
  });

  it("refuses an access_token in a form body (one method only, RFC 6750 §2), read ahead of Nest's parser", async () => {
    running = await startNest(as, platform, { authRequired: false, undeclared: 'allow' });
    const form = Buffer.from(`access_token=${encodeURIComponent(await as.mint())}&title=a`);
    const headers = { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(form.length) };
    const res = await send(running.url, { method: 'POST', path: '/v1/publish', headers, chunks: [form] });
    expect([res.status, res.json?.reason]).toEqual([400, 'credentials_in_query']);
  });

  it('checks a DPoP-bound token with its proof once: a replayed proof is refused (401 dpop_replay)', async () => {
    running = await startNest(as, platform);
    const token = await as.mint({ jkt: key.jkt, capabilities: [{ action: 'search.web' }] });
    const proof = await dpopProof({ key, method: 'GET', url: `${running.url}/v1/search`, accessToken: token });
    const headers = { authorization: `DPoP ${token}`, dpop: proof };
    expect((await send(running.url, { path: '/v1/search', headers })).status).toBe(200);
    const replayed = await send(running.url, { path: '/v1/search', headers });
    expect([replayed.status, replayed.json?.reason]).toEqual([401, 'dpop_replay']);
    expect(replayed.headers['www-authenticate']).toMatch(/^DPoP /);
  });

  it('authRequired: false leaves a request without AAP credentials to the app; tokens are checked', async () => {
    running = await startNest(as, platform, { authRequired: false });
    const anonymous = await send(running.url, { path: '/v1/whoami', headers: { 'x-api-key': 'k' } });
    expect([anonymous.status, anonymous.json]).toEqual([200, { agent: null, action: null }]);
    expect(
      (await send(running.url, { path: '/v1/search', headers: { authorization: 'Bearer not.a.jwt' } })).status,
    ).toBe(401);
  });

  it('the route report says per handler what happens to a request without AAP credentials', async () => {
    running = await startNest(as, platform, { authRequired: false });
    const table = Object.fromEntries(running.routes().map((route) => [`${route.controller}.${route.handler}`, route]));
    expect(table['ApiController.search']).toMatchObject({
      method: 'GET',
      status: 'declared',
      action: 'search.web',
      others: 'passed',
      note: 'agents checked; others passed to the app',
    });
    expect(table['ApiController.publish']).toMatchObject({ method: 'POST', status: 'declared', others: 'refused' });
    expect(table['ApiController.publish']?.note).toBeUndefined();
    expect(table['ApiController.whoami']).toMatchObject({ method: 'GET', status: 'undeclared', others: 'passed' });
    expect(table['ApiController.health']).toMatchObject({ status: 'public' });
    expect(table['ApiController.health']?.others).toBeUndefined();
    const write = await send(running.url, { method: 'POST', path: '/v1/publish', headers: { 'x-api-key': 'k' } });
    expect([write.status, write.json?.reason]).toEqual([401, 'credentials_missing']); // as the report says
    await running.close();
    running = await startNest(as, platform);
    expect(
      running
        .routes()
        .filter((route) => route.status !== 'public')
        .every((route) => route.others === 'refused'),
    ).toBe(true);
  });

  it('skip leaves a request to the app entirely', async () => {
    running = await startNest(as, platform, {
      skip: (request: { url: string }) => request.url.startsWith('/v1/whoami'),
    });
    expect(await send(running.url, { path: '/v1/whoami' })).toMatchObject({ status: 200, json: { agent: null } });
    expect((await send(running.url, { path: '/v1/search' })).status).toBe(401);
  });

  it('serves the RFC 9728 resource metadata, public, with the declared actions', async () => {
    running = await startNest(as, platform);
    const res = await send(running.url, { path: '/.well-known/oauth-protected-resource' });
    expect(res.status).toBe(200);
    expect(res.json?.aap_actions_supported).toEqual(
      expect.arrayContaining(['search.web', 'cms.publish', 'files.upload']),
    );
  });
});

describe('AapModule.forRootAsync', () => {
  @Injectable()
  class Settings {
    readonly events: AuditEvent[] = [];
    options() {
      return guardOptions(as, this.events);
    }
  }
  @Module({ providers: [Settings], exports: [Settings] })
  class SettingsModule {}

  it('builds the guard from a factory with injected dependencies', async () => {
    let made: Settings | undefined;
    running = await startNest(as, 'express', {}, () =>
      AapModule.forRootAsync({
        imports: [SettingsModule],
        inject: [Settings],
        useFactory: async (settings: Settings) => {
          made = settings;
          return settings.options();
        },
      }),
    );
    expect((await send(running.url, { path: '/v1/search', headers: { authorization: await search() } })).status).toBe(
      200,
    );
    expect((await send(running.url, { path: '/v1/whoami', headers: { authorization: await search() } })).status).toBe(
      403,
    );
    expect(made?.events.map((event) => event.decision)).toEqual(['allow', 'deny']);
  });

  it('refuses a factory that returns a misspelled option (TypeError naming it) when the app starts', async () => {
    await expect(
      startNest(as, 'express', {}, (options) =>
        AapModule.forRootAsync({ useFactory: () => ({ ...options, undeclard: 'allow' }) }),
      ),
    ).rejects.toThrow(/undeclard/);
  });
});

describe('an app made by Test.createTestingModule (how Nest apps are tested)', () => {
  it('watches bodies too: the testing module gets its HTTP adapter late, before the body parser', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [AapModule.forRoot(guardOptions(as, []))],
      controllers: [ApiController],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    try {
      const authorization = await heldPublishToken(as);
      const publish = async (title: string, hold?: string) => {
        const res = await post(url, '/v1/publish', authorization, json({ title }), hold ? { 'aap-hold-id': hold } : {});
        return { status: res.status, body: res.json ?? {} };
      };
      await expectHoldBoundToBody(app.get<Guard>(AAP_GUARD), publish);
    } finally {
      await app.close();
    }
  });
});
