/**
 * The behaviour every framework adapter shares, run through real HTTP on 127.0.0.1 against one
 * framework per driver (test/adapters/{express,fastify,koa}.test.ts). Framework-specific behaviour
 * (route opt-out, router integration, Express 4/5 routing, …) stays in packages/<framework>/test.
 *
 * A driver starts the standard app: the adapter with the given guard options (none: the adapter
 * reads AAP_* from the environment), the global middleware or plugin, and these routes, each
 * answering `principalBody(principal)` unless said otherwise:
 * - `GET /whoami`: undeclared; records `whoami` in `handled`.
 * - `GET /v1/search`: declared `search.web`, its target from the `url` query parameter.
 * - `POST /v1/publish`: declared `cms.publish`; records `publish`.
 * - `GET /boom`: declared `search.web` with a target function that throws `FAULT`.
 * - `POST /v1/drafts`: declared `cms.create_draft`; reads the whole body (application/octet-stream),
 *   records `draft:<bytes>`, answers 201 `{ bytes }`.
 * - `GET /v1/large`: declared `search.web`; answers `LARGE_BODY` as text/plain.
 * - `GET /health`: opted out of the guard (public); answers `{ status: 'ok', aap }`.
 * - `GET /ready`: the adapter's readiness helper.
 * and an error handler of the app's own that answers an `AapDenyError` with `appErrorBody(error)`.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  bodyDigest,
  createGuard,
  type AuditEvent,
  type Guard,
  type GuardOptions,
  type Principal,
} from '@aap-guard/core';
import { createIssuer, serveJwks, type TestIssuer } from '@aap-guard/testing';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
// @ts-expect-error: plain JavaScript
import { DEMO_AGENTS } from '../../examples/shared/demo-support.mjs';
// @ts-expect-error: plain JavaScript
import { README_OUTCOMES, readmeRequests, startExample } from '../../examples/shared/readme-requests.mjs';
import { bearer, send, type Listening } from './kit.js';

/** The standard app of one framework, listening. */
export interface RunningApp extends Listening {
  /** The guard behind the adapter (created by it from the options). */
  readonly guard: Guard;
  /** Handlers that ran, in order (see the routes above). */
  readonly handled: string[];
  /** The adapter's route report. */
  routes(): readonly {
    readonly method: string;
    readonly path: string;
    readonly status: string;
    readonly action?: string | undefined;
    readonly others?: string | undefined;
    readonly note?: string | undefined;
  }[];
}

/** The body the standard app's own error handler answers an `AapDenyError` with (`denyAs: 'error'`). */
export const appErrorBody = (error: { readonly reason: string; readonly status: number }) => ({
  handled: 'app',
  code: error.reason,
  status: error.status,
});

/** Starts one framework's standard app. */
export interface AdapterDriver {
  /** The framework directory name (`express`, `fastify`, `koa`), for the examples. */
  readonly name: string;
  /** Start the standard app; without options, the adapter reads AAP_* from the environment. */
  start(options?: GuardOptions & Record<string, unknown>): Promise<RunningApp>;
  /** Declare `action` on a route the framework's way, with route options (a TypeError for a bad declaration). */
  declare(guard: Guard, action: string, options?: Record<string, unknown>): Promise<void>;
  /** Build the README example app (examples/<name>/app.mjs) and listen; absent: not run for this driver. */
  readonly example?: ((options: GuardOptions, adminKey: string) => Promise<Listening>) | undefined;
}

/** What every route of the standard app answers: the principal the adapter put on the request. */
export const principalBody = (principal: Principal | null | undefined) => ({
  agent: principal?.claims.agent.id ?? null,
  scheme: principal?.scheme ?? null,
  action: principal?.action ?? null,
  capability: principal?.capability?.action ?? null,
});

/** The message of the exception `/boom`'s target function throws: it must reach the audit only. */
export const FAULT = 'app bug';
export const failingTarget = (): never => {
  throw new Error(FAULT);
};

/** The body of `/v1/large`: 1000 bytes. */
export const LARGE_BODY = 'a'.repeat(1000);

const OCTETS = { 'content-type': 'application/octet-stream' };
const auth = (token: string) => ({ authorization: bearer(token) });
const outcomes = (rows: Array<{ name: string; status: number; body?: { reason?: string } }>) =>
  rows.map((r) => [r.name, r.status, r.body?.reason]);

/**
 * Register the shared adapter behaviour as vitest tests for one driver.
 *
 * @example
 * describeAdapter(koaDriver);
 */
export function describeAdapter(driver: AdapterDriver): void {
  describe(`@aap-guard/${driver.name}: behaviour shared by the adapters`, () => adapterTests(driver));
}

function adapterTests(driver: AdapterDriver): void {
  let as: TestIssuer;
  const closers: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    as = await createIssuer();
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  const trusting = (): GuardOptions => ({ issuer: as.issuer, audience: as.audience, jwks: as.jwks });
  async function app(
    options: Partial<GuardOptions> & Record<string, unknown> = {},
  ): Promise<RunningApp & { events: AuditEvent[] }> {
    const events: AuditEvent[] = [];
    const running = await driver.start({ ...trusting(), audit: (event) => events.push(event), ...options });
    closers.push(() => running.close());
    return { ...running, events };
  }

  describe('authentication', () => {
    it('denies a request without credentials with 401, a challenge and a privacy-preserving body', async () => {
      const { url } = await app();
      const res = await send(url, { path: '/v1/search' });
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.json).toEqual({
        error: 'invalid_token',
        error_description: expect.any(String),
        reason: 'credentials_missing',
      });
    });

    it('denies a garbage token with 401 invalid_token and an error in the challenge, never a 500', async () => {
      const { url } = await app();
      const res = await send(url, { path: '/v1/search', headers: { authorization: 'Bearer not.a.jwt' } });
      expect(res.status).toBe(401);
      expect(res.json?.error).toBe('invalid_token');
      expect(res.headers['www-authenticate']).toMatch(/^Bearer .*error="invalid_token"/);
    });

    it.each([
      ['an empty scheme', 'Bearer'],
      ['a large token', `Bearer ${'a'.repeat(15_000)}`],
      ['non-token characters', 'Bearer ###'],
      ['an unknown scheme', 'Basic dXNlcjpwYXNz'],
      ['three parts of junk base64url', 'Bearer e30.e30.AAAA'],
    ])('answers %s with a 4xx deny, never a 500', async (_name, header) => {
      const { url } = await app();
      const res = await send(url, { path: '/v1/search', headers: { authorization: header } });
      expect([400, 401]).toContain(res.status);
      expect(res.json?.reason).toEqual(expect.any(String));
    });
  });

  describe('declared routes', () => {
    it('authorizes a declared route and puts the principal with the authorized action on the request', async () => {
      const { url } = await app();
      const token = await as.mint({ agentId: 'agent-x', capabilities: [{ action: 'search.web' }] });
      const res = await send(url, { path: '/v1/search?url=https://en.wikipedia.org/wiki/OAuth', headers: auth(token) });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ agent: 'agent-x', scheme: 'Bearer', action: 'search.web', capability: 'search.web' });
    });

    it('denies a declared action no capability grants (403 capability_missing) without running the handler', async () => {
      const { url, handled } = await app();
      const res = await send(url, {
        method: 'POST',
        path: '/v1/publish',
        headers: auth(await as.mint({ capabilities: [{ action: 'search.web' }] })),
      });
      expect(res.status).toBe(403);
      expect(res.json).toMatchObject({ error: 'aap_invalid_capability', reason: 'capability_missing' });
      expect(handled).toEqual([]);
    });

    it('sends the decision headers on allowed responses (RateLimit) and 429 with Retry-After once exhausted', async () => {
      const { url } = await app();
      const headers = auth(
        await as.mint({ capabilities: [{ action: 'search.web', constraints: { max_requests_per_minute: 2 } }] }),
      );
      const first = await send(url, { path: '/v1/search', headers });
      expect(first.status).toBe(200);
      expect(first.headers['ratelimit-policy']).toBe('"minute";q=2;w=60');
      expect(first.headers['ratelimit']).toMatch(/^"minute";r=1;t=\d+$/);
      expect((await send(url, { path: '/v1/search', headers })).headers['ratelimit']).toMatch(/;r=0;/);
      const limited = await send(url, { path: '/v1/search', headers });
      expect(limited.status).toBe(429);
      expect(limited.json).toMatchObject({ reason: 'rate_limited' });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('refuses an ambiguous target (a repeated query parameter) with an audited 400 instead of guessing', async () => {
      const { url, events } = await app();
      const res = await send(url, {
        path: '/v1/search?url=https://a.example&url=https://b.example',
        headers: auth(await as.mint()),
      });
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ error: 'invalid_request', reason: 'request_invalid' });
      expect(events.at(-1)).toMatchObject({ decision: 'deny', reason: 'request_invalid' });
    });

    it('turns an exception in the guard path into an audited 503, not a 500', async () => {
      const { url, events } = await app();
      const res = await send(url, { path: '/boom', headers: auth(await as.mint()) });
      expect(res.status).toBe(503);
      expect(res.json).toMatchObject({ error: 'temporarily_unavailable', reason: 'internal_error' });
      expect(res.body.toString()).not.toContain(FAULT);
      expect(events.at(-1)).toMatchObject({ reason: 'internal_error', detail: { fault: FAULT } });
    });

    it('rejects a bad action where the route is declared, at startup (TypeError)', async () => {
      const guard = createGuard(trusting());
      closers.push(() => guard.close());
      await expect(driver.declare(guard, 'not an action!')).rejects.toThrow(TypeError);
    });
  });

  describe('undeclared routes', () => {
    it('undeclared routes are open by default: refused (403 route_undeclared) when no undeclared option is given', async () => {
      const { url, handled } = await app();
      const res = await send(url, { path: '/whoami', headers: auth(await as.mint()) });
      expect(res.status).toBe(403);
      expect(res.json).toMatchObject({ reason: 'route_undeclared' });
      expect(handled).toEqual([]);
    });

    it("with undeclared: 'allow', authenticates an undeclared route only: the principal is on the request, without an action", async () => {
      const { url } = await app({ undeclared: 'allow' });
      const ok = await send(url, { path: '/whoami', headers: auth(await as.mint({ agentId: 'agent-x' })) });
      expect(ok.status).toBe(200);
      expect(ok.json).toEqual({ agent: 'agent-x', scheme: 'Bearer', action: null, capability: null });
      expect((await send(url, { path: '/whoami' })).status).toBe(401);
    });

    it("with undeclared: 'deny', refuses an undeclared route (403 route_undeclared, audited) before its handler, after authenticating", async () => {
      const { url, handled, events } = await app({ undeclared: 'deny' });
      expect((await send(url, { path: '/whoami' })).status).toBe(401);
      const res = await send(url, { path: '/whoami', headers: auth(await as.mint()) });
      expect(res.status).toBe(403);
      expect(res.json).toEqual({
        error: 'aap_invalid_capability',
        error_description: expect.any(String),
        reason: 'route_undeclared',
      });
      expect(res.headers['cache-control']).toBe('no-store');
      expect(handled).toEqual([]);
      expect(events.at(-1)).toMatchObject({ decision: 'deny', reason: 'route_undeclared' });
      expect((await send(url, { path: '/v1/search', headers: auth(await as.mint()) })).status).toBe(200);
    });

    it("with undeclared: 'deny', answers a path no route matches with 404 after authenticating (401 without a token)", async () => {
      const { url } = await app({ undeclared: 'deny' });
      expect((await send(url, { path: '/nope', headers: auth(await as.mint()) })).status).toBe(404);
      expect((await send(url, { path: '/nope' })).status).toBe(401);
    });

    it("rejects an undeclared option other than 'allow' or 'deny' at startup (TypeError)", async () => {
      await expect(app({ undeclared: 'maybe' as 'deny' })).rejects.toThrow(TypeError);
    });
  });

  describe('secure defaults, visible', () => {
    it('a route opted out is public: no token needed, no principal', async () => {
      const { url } = await app();
      const res = await send(url, { path: '/health' });
      expect([res.status, res.json]).toEqual([200, { status: 'ok', aap: null }]);
    });

    it('reports at startup which routes are declared, opted out, or will be refused', async () => {
      const { routes } = await app();
      const table = Object.fromEntries(
        routes().map((route) => [`${route.method} ${route.path}`, [route.status, route.action]]),
      );
      expect(table).toMatchObject({
        'GET /v1/search': ['declared', 'search.web'],
        'POST /v1/publish': ['declared', 'cms.publish'],
        'GET /health': ['public', undefined],
        'GET /whoami': ['undeclared', undefined],
      });
    });

    it('refuses unknown option keys at startup with a TypeError and a did-you-mean', async () => {
      await expect(app({ undeclard: 'deny' })).rejects.toThrow(
        /unknown option "undeclard" — did you mean "undeclared"/,
      );
      await expect(app({ oversight: { holdTTL: 60 } } as Partial<GuardOptions>)).rejects.toThrow(
        /"holdTTL" — did you mean "holdTtl"/,
      );
    });

    it('refuses an unknown route option with a TypeError and a did-you-mean, where the route is declared', async () => {
      const guard = createGuard(trusting());
      closers.push(() => guard.close());
      await expect(driver.declare(guard, 'search.web', { targte: () => 'x' })).rejects.toThrow(
        /unknown option "targte" — did you mean "target"/,
      );
    });
  });

  describe('coexistence with clients that are not agents (authRequired: false)', () => {
    it('a request without AAP credentials goes on untouched to the app, without a principal; an agent token is checked in full', async () => {
      const { url, handled } = await app({ authRequired: false, undeclared: 'allow' });
      const apiKey = await send(url, { path: '/whoami', headers: { 'x-api-key': 'k-1' } });
      expect([apiKey.status, apiKey.json]).toEqual([
        200,
        { agent: null, scheme: null, action: null, capability: null },
      ]);
      const basic = await send(url, { path: '/whoami', headers: { authorization: 'Basic dXNlcjpwYXNz' } });
      expect(basic.status).toBe(200);
      expect(
        (await send(url, { path: '/v1/search', headers: auth(await as.mint({ agentId: 'agent-x' })) })).json,
      ).toMatchObject({ agent: 'agent-x', action: 'search.web' });
      const failing = await send(url, { path: '/whoami', headers: auth(await as.mint({ ttl: -3600 })) });
      expect([failing.status, failing.json?.reason]).toEqual([401, 'token_expired']); // a failing agent token is never passed through
      expect(handled).toEqual(['whoami', 'whoami']);
    });

    it('the route report marks what passes others to the app; the requests agree (a write admits agents only by default)', async () => {
      const { url, routes, handled } = await app({ authRequired: false });
      const table = Object.fromEntries(routes().map((route) => [`${route.method} ${route.path}`, route]));
      expect(table['GET /v1/search']).toMatchObject({
        status: 'declared',
        others: 'passed',
        note: 'agents checked; others passed to the app',
      });
      expect(table['POST /v1/publish']).toMatchObject({ status: 'declared', others: 'refused' });
      expect(table['POST /v1/publish']?.note).toBeUndefined();
      expect(table['GET /whoami']).toMatchObject({
        status: 'undeclared',
        others: 'passed',
        note: 'agents refused; others passed to the app',
      });
      expect(table['GET /health']).toMatchObject({ status: 'public' });
      expect(table['GET /health']?.others).toBeUndefined();
      expect((await send(url, { path: '/v1/search', headers: { 'x-api-key': 'k-1' } })).status).toBe(200);
      const write = await send(url, {
        method: 'POST',
        path: '/v1/publish',
        headers: { 'content-type': 'application/json' },
        chunks: [Buffer.from('{}')],
      });
      expect([write.status, write.json?.reason]).toEqual([401, 'credentials_missing']);
      expect(handled).not.toContain('publish');
      const strict = await app();
      expect(
        strict
          .routes()
          .filter((route) => route.status !== 'public')
          .map((route) => route.others),
      ).toEqual(expect.arrayContaining(['refused']));
      expect(strict.routes().some((route) => route.others === 'passed')).toBe(false);
    });

    it('skip(request) leaves a request to the app entirely', async () => {
      const { url } = await app({ skip: (request: { url?: string }) => String(request.url).startsWith('/whoami') });
      expect((await send(url, { path: '/whoami' })).status).toBe(200);
      expect((await send(url, { path: '/v1/search' })).status).toBe(401);
    });
  });

  describe("the app's own deny handling", () => {
    it("denyAs: 'error' hands a deny to the app's error handling as an AapDenyError; challenge, Retry-After and no-store survive", async () => {
      const { url } = await app({ denyAs: 'error' });
      const missing = await send(url, { path: '/v1/search' });
      expect([missing.status, missing.json]).toEqual([
        401,
        { handled: 'app', code: 'credentials_missing', status: 401 },
      ]);
      expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(missing.headers['cache-control']).toBe('no-store');
      const headers = auth(
        await as.mint({ capabilities: [{ action: 'search.web', constraints: { max_requests_per_minute: 1 } }] }),
      );
      await send(url, { path: '/v1/search', headers });
      const limited = await send(url, { path: '/v1/search', headers });
      expect([limited.status, limited.json?.code]).toEqual([429, 'rate_limited']);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.headers['cache-control']).toBe('no-store');
    });

    it('formatDeny shapes the deny body (problem+json here); the decision headers are kept', async () => {
      const formatDeny = (decision: { status: number; reason?: string }) => ({
        type: 'application/problem+json',
        body: { type: `https://errors.example.com/${decision.reason}`, status: decision.status },
      });
      const { url } = await app({ formatDeny });
      const res = await send(url, { path: '/v1/search' });
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json).toEqual({ type: 'https://errors.example.com/credentials_missing', status: 401 });
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    });
  });

  describe('operations', () => {
    it('emits exactly one audit event per request: allowed, denied at authentication, denied at the route', async () => {
      const { url, events } = await app();
      const token = auth(await as.mint({ capabilities: [{ action: 'search.web' }] }));
      await send(url, { path: '/v1/search', headers: token });
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ decision: 'allow', action: 'search.web' });
      await send(url, { path: '/v1/search' });
      await send(url, { method: 'POST', path: '/v1/publish', headers: token });
      await send(url, { path: '/whoami', headers: token });
      expect(events.map((event) => [event.decision, event.reason])).toEqual([
        ['allow', undefined],
        ['deny', 'credentials_missing'],
        ['deny', 'capability_missing'],
        ['deny', 'route_undeclared'],
      ]);
    });

    it('serves RFC 9728 protected resource metadata, public, and points every 401 at it', async () => {
      const { url } = await app({ audience: 'https://api.example.com/v1', dpop: { mode: 'required' } });
      for (const path of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/v1']) {
        const res = await send(url, { path });
        expect(res.status, path).toBe(200);
        expect(res.json).toEqual({
          resource: 'https://api.example.com/v1',
          authorization_servers: [as.issuer],
          bearer_methods_supported: ['header'],
          dpop_signing_alg_values_supported: expect.arrayContaining(['ES256']),
          dpop_bound_access_tokens_required: true,
          aap_actions_supported: expect.arrayContaining(['cms.create_draft', 'cms.publish', 'search.web']),
        });
      }
      const challenge = (await send(url, { path: '/v1/search' })).headers['www-authenticate'];
      expect(challenge).toContain(
        'resource_metadata="https://api.example.com/.well-known/oauth-protected-resource/v1"',
      );
    });

    it('answers a readiness probe: 200 when ready, 503 with a stable reason when not, never the JWKS URL', async () => {
      const { url, guard } = await app();
      await guard.ready({ timeoutMs: 2000 });
      const ready = await send(url, { path: '/ready' });
      expect([ready.status, ready.json]).toEqual([200, { status: 'ready' }]);
      const down = await app({ jwks: { uri: 'http://127.0.0.1:9/jwks', timeoutMs: 500 }, logger: false });
      await expect(down.guard.ready({ timeoutMs: 1000 })).rejects.toThrow();
      const notReady = await send(down.url, { path: '/ready' });
      expect([notReady.status, notReady.json]).toEqual([503, { status: 'not_ready', reason: 'keys_unavailable' }]);
      expect(down.guard.health().issuers[0]?.lastError).toContain('127.0.0.1:9'); // the detail stays with the app
    });
  });

  describe('oversight holds', () => {
    it('an approved hold is not burned when another token of the agent spent the agent-keyed quota: the retry is admitted', async () => {
      const { url, guard, handled } = await app({ rateLimit: { key: 'agent' } });
      const capabilities = [{ action: 'cms.publish', constraints: { max_requests_per_minute: 1 } }];
      const held = auth(
        await as.mint({
          agentId: 'agent-q',
          capabilities,
          sections: { oversight: { requires_human_approval_for: ['cms.publish'] } },
        }),
      );
      const other = auth(await as.mint({ agentId: 'agent-q', capabilities }));
      const first = await send(url, { method: 'POST', path: '/v1/publish', headers: held });
      const id = first.json?.hold_id as string;
      expect(first.json?.reason).toBe('approval_required'); // the held request paid the agent's one request this minute
      await guard.holds.approve(id, { by: 'alice' });
      expect((await send(url, { method: 'POST', path: '/v1/publish', headers: other })).json?.reason).toBe(
        'rate_limited',
      );
      const retry = await send(url, { method: 'POST', path: '/v1/publish', headers: { ...held, 'aap-hold-id': id } });
      expect(retry.status).toBe(200); // its quota was paid when it was held
      expect(handled).toEqual(['publish']);
      expect((await guard.holds.get(id))?.status).toBe('used');
    });

    it('a hold is created once per held request and onHold fires once per hold created, none beyond the agent budget', async () => {
      const created: string[] = [];
      const { url } = await app({ oversight: { maxPendingPerAgent: 3, onHold: (hold) => void created.push(hold.id) } });
      const headers = auth(
        await as.mint({
          capabilities: [{ action: 'cms.publish' }],
          sections: { oversight: { requires_human_approval_for: ['cms.publish'] } },
        }),
      );
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++)
        statuses.push((await send(url, { method: 'POST', path: '/v1/publish', headers })).status ?? 0);
      expect(statuses).toEqual([403, 403, 403, 429, 429, 429]);
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(created).toHaveLength(3);
    });
  });

  describe('size limits from capability constraints', () => {
    const draftToken = () =>
      as.mint({ capabilities: [{ action: 'cms.create_draft', constraints: { max_request_size: 64 } }] });
    const tooLarge = async (request: { headers?: Record<string, string>; chunks: Buffer[] }) => {
      const { url, events, handled } = await app();
      const res = await send(url, {
        method: 'POST',
        path: '/v1/drafts',
        ...request,
        headers: { ...auth(await draftToken()), ...OCTETS, ...request.headers },
      });
      expect(res.status).toBe(413);
      expect(res.json).toMatchObject({ error: 'aap_constraint_violation', reason: 'request_too_large' });
      expect(handled).toEqual([]);
      expect(events.at(-1)).toMatchObject({ decision: 'deny', status: 413, reason: 'request_too_large' });
    };

    it('answers a declared Content-Length over max_request_size with 413 before the body is read', async () => {
      await tooLarge({ headers: { 'content-length': '120' }, chunks: [Buffer.alloc(120)] });
    });

    it('answers a chunked body over max_request_size with 413 before the handler completes', async () => {
      await tooLarge({ chunks: [Buffer.alloc(40), Buffer.alloc(40), Buffer.alloc(40)] });
    });

    it('admits a chunked body within max_request_size', async () => {
      const { url, handled } = await app();
      const res = await send(url, {
        method: 'POST',
        path: '/v1/drafts',
        headers: { ...auth(await draftToken()), ...OCTETS },
        chunks: [Buffer.alloc(30), Buffer.alloc(30)],
      });
      expect(res.status).toBe(201);
      expect(handled).toEqual(['draft:60']);
    });

    it('cuts the response off after max_response_size bytes and audits it', async () => {
      const { url, events } = await app();
      const res = await send(url, {
        path: '/v1/large',
        headers: auth(
          await as.mint({ capabilities: [{ action: 'search.web', constraints: { max_response_size: 100 } }] }),
        ),
      });
      expect(res.error).toBeDefined();
      expect(res.body.length).toBeLessThanOrEqual(100);
      expect(events.at(-1)).toMatchObject({
        decision: 'deny',
        reason: 'constraint_violation',
        detail: { constraint: 'max_response_size' },
      });
    });
  });

  describe('without guard options', () => {
    /** An issuer whose keys are served over HTTP, named only by AAP_ISSUER, AAP_AUDIENCE and AAP_JWKS_URI. */
    async function environmentIssuer(): Promise<TestIssuer> {
      const issuer = await createIssuer({ issuer: 'https://as.test', audience: 'https://api.test' });
      const jwks = await serveJwks(issuer.jwks);
      closers.push(() => jwks.close());
      vi.stubEnv('AAP_ISSUER', 'https://as.test');
      vi.stubEnv('AAP_AUDIENCE', 'https://api.test');
      vi.stubEnv('AAP_JWKS_URI', jwks.jwksUri);
      return issuer;
    }

    it('reads AAP_ISSUER, AAP_AUDIENCE and AAP_JWKS_URI from the environment', async () => {
      const issuer = await environmentIssuer();
      const running = await driver.start();
      try {
        const res = await send(running.url, {
          path: '/v1/search',
          headers: auth(await issuer.mint({ agentId: 'env-agent' })),
        });
        expect(res.status).toBe(200);
        expect(res.json).toMatchObject({ agent: 'env-agent' });
        expect((await send(running.url, { path: '/v1/search' })).status).toBe(401);
      } finally {
        await running.close();
      }
    });

    it("merges explicit adapter options over the environment: aapGuard({ undeclared: 'deny' }) still reads AAP_*", async () => {
      const issuer = await environmentIssuer();
      const running = await driver.start({ undeclared: 'allow' } as GuardOptions & Record<string, unknown>);
      try {
        const token = auth(await issuer.mint({ agentId: 'env-agent' }));
        expect((await send(running.url, { path: '/whoami', headers: token })).status).toBe(200); // the explicit option
        expect((await send(running.url, { path: '/v1/search', headers: token })).json).toMatchObject({
          agent: 'env-agent',
        }); // the environment's
      } finally {
        await running.close();
      }
    });

    it('refuses a misspelled AAP_ variable with a TypeError naming the right one', async () => {
      vi.stubEnv('AAP_ISSUER', 'https://as.test');
      vi.stubEnv('AAP_AUDIENCE', 'https://api.test');
      vi.stubEnv('AAP_JWKS_URL', 'https://as.test/jwks');
      await expect(driver.start()).rejects.toThrow(/AAP_JWKS_URL .*did you mean AAP_JWKS_URI/);
    });

    it('refuses to start with a TypeError naming the variable that is missing', async () => {
      vi.stubEnv('AAP_ISSUER', '');
      const refused = driver.start();
      await expect(refused).rejects.toThrow(TypeError);
      await expect(refused).rejects.toThrow(/AAP_ISSUER/);
    });
  });

  const example = driver.example;
  if (example) {
    describe(`examples/${driver.name} answers as the README shows`, () => {
      const adminKey = 'k'.repeat(24);
      const server = fileURLToPath(new URL(`../../examples/${driver.name}/server.mjs`, import.meta.url));
      const built = ['core', driver.name, 'testing'].every((name) =>
        existsSync(new URL(`../../packages/${name}/dist/index.js`, import.meta.url)),
      );

      it('an approval is bound to the body the human approved: a retry with another body is refused (hold_mismatch)', async () => {
        const listening = await example(trusting(), adminKey);
        closers.push(() => listening.close());
        const token = await as.mint(DEMO_AGENTS.WRITER);
        const publish = (id: string, hold?: string) =>
          send(listening.url, {
            method: 'POST',
            path: '/v1/publish',
            headers: { ...auth(token), 'content-type': 'application/json', ...(hold ? { 'aap-hold-id': hold } : {}) },
            chunks: [Buffer.from(JSON.stringify({ id }))],
          });
        const held = await publish('d-1');
        expect(held.json).toMatchObject({ reason: 'approval_required' });
        const id = held.json?.hold_id as string;
        const admin = { 'x-admin-key': adminKey, 'content-type': 'application/json' };
        const view = await send(listening.url, { path: `/aap-admin/holds/${id}`, headers: admin });
        expect((view.json?.hold as { bodyDigest?: string }).bodyDigest).toBe(bodyDigest(JSON.stringify({ id: 'd-1' })));
        expect(
          (
            await send(listening.url, {
              method: 'POST',
              path: `/aap-admin/holds/${id}/approve`,
              headers: admin,
              chunks: [Buffer.from('{}')],
            })
          ).status,
        ).toBe(200);
        const swapped = await publish('d-999', id);
        expect([swapped.status, swapped.json?.reason]).toEqual([403, 'hold_mismatch']);
        const approved = await publish('d-1', id);
        expect([approved.status, approved.json]).toEqual([200, { id: 'd-1', status: 'published' }]);
      });

      it('allows and denies README requests, and holds publishing for a human (sources)', async () => {
        const listening = await example(trusting(), adminKey);
        closers.push(() => listening.close());
        const tokens = { WRITER: await as.mint(DEMO_AGENTS.WRITER), SEARCHER: await as.mint(DEMO_AGENTS.SEARCHER) };
        expect(outcomes(await readmeRequests(listening.url, tokens, adminKey))).toEqual(README_OUTCOMES);
      });

      it.skipIf(!built)(
        `starts with \`npm run example:${driver.name}\` alone (demo mode, built packages) and answers README requests`,
        async () => {
          const started = await startExample(server);
          closers.push(() => started.stop());
          expect(outcomes(await readmeRequests(started.url, started.tokens, started.adminKey))).toEqual(
            README_OUTCOMES,
          );
        },
      );
    });
  }
}
