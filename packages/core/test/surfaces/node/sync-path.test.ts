import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGuard, memoryStore, type Guard, type Store } from '@aap-guard/core';
import { type ConsumeRequest } from '@aap-guard/core/store';
import { compileRoute } from '../../../src/concerns/route/compile-route.js';
import { nodeFlow, type FlowOutcome } from '@aap-guard/core/node';
import { createIssuer } from '@aap-guard/testing';
import { afterEach, describe, expect, it } from 'vitest';

// The request path stays synchronous while nothing waits on I/O: a cached token on the embedded store
// is decided without a promise (each promise costs microtask hops that a server pays on every request),
// while the store's public consume() stays a promise. A store that throws instead of rejecting fails
// closed all the same.

const CAPABILITY = {
  action: 'search.web',
  constraints: { domains_allowed: ['wikipedia.org'], max_requests_per_minute: 1000 },
};
const route = compileRoute({ action: 'search.web' });
const TARGET = 'https://en.wikipedia.org/wiki/OAuth';
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

/** A node:http server whose handler runs `flow.finish` and records whether it answered without a promise. */
async function serve(guard: Guard) {
  const flow = nodeFlow(guard);
  const answers: { sync: boolean; outcome: FlowOutcome }[] = [];
  const server: Server = createServer(async (req, res) => {
    const pending = flow.finish(req, res, route, { target: TARGET });
    const sync = !(pending instanceof Promise);
    const outcome = await pending;
    answers.push({ sync, outcome });
    if (outcome.kind === 'deny')
      res.writeHead(outcome.decision.status, outcome.decision.headers).end(outcome.decision.reason);
    else res.writeHead(200, outcome.kind === 'allow' ? outcome.decision.headers : {}).end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  const port = (server.address() as AddressInfo).port;
  const get = (token: string, body?: { type: string; text: string }) =>
    new Promise<{ status: number; body: string; ratelimit?: string }>((resolve, reject) => {
      const typed = body ? { 'content-type': body.type, 'content-length': String(body.text.length) } : {};
      const headers = { authorization: `Bearer ${token}`, ...typed };
      request({ host: '127.0.0.1', port, method: body ? 'POST' : 'GET', path: '/v1/search', headers }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        const ratelimit = res.headers['ratelimit'] as string | undefined;
        res.on('end', () => resolve({ status: res.statusCode!, body: text, ratelimit }));
      })
        .on('error', reject)
        .end(body?.text);
    });
  return { answers, get };
}

async function guardWith(store?: Store) {
  const as = await createIssuer();
  const guard = createGuard({
    issuer: as.issuer,
    audience: as.audience,
    jwks: as.jwks,
    logger: false,
    ...(store ? { store } : {}),
  });
  closers.push(() => guard.close());
  return { as, guard };
}

describe('the synchronous request path', () => {
  it('decides a cached token with a rate limit on the memory store without a promise', async () => {
    const { as, guard } = await guardWith();
    const { answers, get } = await serve(guard);
    const token = await as.mint({ ttl: 600, capabilities: [CAPABILITY] });
    const first = await get(token); // verifies the signature: a promise
    const second = await get(token); // cached: none
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.ratelimit).toMatch(/r=998/); // the window was consumed on the synchronous path too
    expect(answers.map((a) => a.sync)).toEqual([false, true]);
  });

  it('a body that is not a form is never waited for; a form body is read for a token (a promise)', async () => {
    const { as, guard } = await guardWith();
    const { answers, get } = await serve(guard);
    const token = await as.mint({ ttl: 600, capabilities: [CAPABILITY] });
    expect((await get(token)).status).toBe(200); // verifies the signature: a promise
    expect((await get(token, { type: 'application/json', text: '{"access_token":"x"}' })).status).toBe(200);
    expect((await get(token, { type: 'application/x-www-form-urlencoded', text: 'title=x' })).status).toBe(200);
    expect(answers.map((a) => a.sync)).toEqual([false, true, false]);
  });

  it("the memory store's public consume() is still a promise (wrappers and callers keep working)", async () => {
    const store = memoryStore();
    const consume: ConsumeRequest = {
      now: Date.now(),
      windows: [{ key: 'k', limit: 1, windowMs: 60_000, mode: 'sliding' }],
    };
    const answer = store.consume(consume);
    expect(answer).toBeInstanceOf(Promise);
    await expect(answer).resolves.toMatchObject({ ok: true, windows: [{ remaining: 0 }] });
    await expect(store.consume(consume)).resolves.toMatchObject({ ok: false, reason: 'limited' });
  });

  it('a guard over a wrapped memory store (no synchronous path) still decides, through the promise', async () => {
    const inner = memoryStore();
    const wrapped: Store = { consume: (request) => inner.consume(request).then((result) => result) };
    const { as, guard } = await guardWith(wrapped);
    const { answers, get } = await serve(guard);
    const token = await as.mint({ ttl: 600, capabilities: [CAPABILITY] });
    expect((await get(token)).status).toBe(200);
    const second = await get(token);
    expect(second.status).toBe(200);
    expect(second.ratelimit).toMatch(/r=998/);
    expect(answers.map((a) => a.sync)).toEqual([false, false]);
  });

  it('a store whose consume() throws instead of rejecting fails closed with 503 store_unavailable', async () => {
    const broken: Store = {
      consume() {
        throw new Error('disk on fire');
      },
    };
    const { as, guard } = await guardWith(broken);
    const { answers, get } = await serve(guard);
    const token = await as.mint({ ttl: 600, capabilities: [CAPABILITY] });
    const response = await get(token);
    expect(response).toMatchObject({ status: 503, body: 'store_unavailable' });
    expect(answers.at(-1)?.outcome.kind).toBe('deny');
  });
});
