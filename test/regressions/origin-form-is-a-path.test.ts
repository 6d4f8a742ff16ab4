/**
 * Regression: a request-target in origin form that starts with `//` (`GET //evil.example/x`) was resolved
 * as a scheme-relative reference against the Host, so the guard took `evil.example` for the request's
 * host: a DPoP proof made for `http://evil.example/x` — another server — was accepted here, and the audit
 * recorded evil.example. RFC 9112 §3.2.1: origin-form is an absolute path (its first segment may be
 * empty), and the authority comes from Host (§3.2.2, §7.2), never from the path. `/\evil.example/x`, which
 * the WHATWG parser reads as `//evil.example/x`, is the same case. And a Host header that carries a URL
 * delimiter (`127.0.0.1:port#`) must not turn the path into a fragment either. Over real HTTP, on every adapter.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createGuard, type AuditEvent, type Guard } from '@aap-guard/core';
import { nodeFlow } from '@aap-guard/core/node';
import { aapGuard as expressGuard } from '@aap-guard/express';
import { aapGuard as fastifyGuard } from '@aap-guard/fastify';
import { aapGuard as koaGuard } from '@aap-guard/koa';
import Router from '@koa/router';
import Koa from 'koa';
import { dpopProof } from '@aap-guard/testing';
import express from 'express';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { listen, send, useAuditedIssuer, type Listening } from '../adapters/kit.js';

const fixture = useAuditedIssuer();
const options = fixture.options;

/** A server whose every path is one declared route (`search.web`). */
const builds: Record<string, (events: AuditEvent[]) => Promise<Listening>> = {
  async 'node:http'(events) {
    const guard: Guard = createGuard(options(events));
    const flow = nodeFlow(guard);
    const route = guard.route({ action: 'search.web' });
    const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
      const outcome = await flow.finish(req, res, route);
      if (outcome.kind === 'deny')
        res
          .writeHead(outcome.decision.status, { 'content-type': 'application/json' })
          .end(JSON.stringify({ reason: outcome.decision.reason }));
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    return listen(server, guard);
  },
  async express(events) {
    const aap = expressGuard(options(events));
    const app = express();
    app.use(aap);
    app.get('/*splat', aap.require('search.web'), (_req, res) => void res.json({ ok: true }));
    return listen(createServer(app), aap.guard);
  },
  async fastify(events) {
    const app = Fastify();
    await app.register(fastifyGuard, options(events));
    app.get('/*', { config: { aap: { action: 'search.web' } } }, async () => ({ ok: true }));
    await app.ready();
    return listen(app.server, app.aap.guard);
  },
  async koa(events) {
    const aap = koaGuard(options(events));
    const router = new Router();
    router.get('/{*rest}', aap.require('search.web'), (ctx) => void (ctx.body = { ok: true }));
    const app = new Koa().use(aap).use(aap.router(router));
    return listen(createServer(app.callback()), aap.guard);
  },
};

describe.each(Object.keys(builds))('a request-target starting with // (%s)', (name) => {
  let running: Listening | undefined;
  afterEach(() => running?.close());

  it.each(['//evil.example/x', '/\\evil.example/x'])(
    '%s is a path on the Host: a proof for http://evil.example/x is refused, one for this host accepted',
    async (path) => {
      const events: AuditEvent[] = [];
      running = await builds[name]!(events);
      const token = await fixture.as.mint({ jkt: fixture.key.jkt, capabilities: [{ action: 'search.web' }] });
      const get = async (htu: string) =>
        send(running!.url, {
          path,
          headers: {
            authorization: `DPoP ${token}`,
            dpop: await dpopProof({ key: fixture.key, method: 'GET', url: htu, accessToken: token }),
          },
        });
      const foreign = await get('http://evil.example/x');
      expect([foreign.status, foreign.json?.reason]).toEqual([401, 'dpop_htu_mismatch']);
      expect(events.at(-1)?.path).toBe('//evil.example/x'); // the path as sent (WHATWG reads `\\` as `/`), never host `/x`
      const own = await get(`${running.url}//evil.example/x`);
      expect(own.status).toBe(200);
    },
  );

  it('a Host header with a URL delimiter does not swallow the path: a proof for / is refused on /x', async () => {
    const events: AuditEvent[] = [];
    running = await builds[name]!(events);
    const token = await fixture.as.mint({ jkt: fixture.key.jkt, capabilities: [{ action: 'search.web' }] });
    const host = `${new URL(running.url).host}#`;
    const get = async (htu: string) =>
      send(running!.url, {
        path: '/x',
        headers: {
          host,
          authorization: `DPoP ${token}`,
          dpop: await dpopProof({ key: fixture.key, method: 'GET', url: htu, accessToken: token }),
        },
      });
    const root = await get(`${running.url}/`);
    expect([root.status, root.json?.reason]).toEqual([401, 'dpop_htu_mismatch']);
    expect(events.at(-1)?.path).toBe('/x');
    expect((await get(`${running.url}/x`)).status).toBe(200);
  });
});
