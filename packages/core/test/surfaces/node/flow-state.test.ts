import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { bodyDigest, createGuard, type AuditEvent, type Guard } from '@aap-guard/core';
import { compileRoute } from '../../../src/concerns/route/compile-route.js';
import { nodeFlow, type FlowOutcome, type NodeFlow } from '@aap-guard/core/node';
import { createDpopKey, createIssuer, dpopProof, type DpopKey, type TestIssuer } from '@aap-guard/testing';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listen, send, type Listening } from '../../../../../test/adapters/kit.js';

// The per-guard state of a request (surfaces/node/flow-state.ts) as the flow keeps it: what one guard did with a
// request is known to that guard only, a refusal is final for it, `skip` is asked once, and a request
// whose route is not known yet has its DPoP proof consumed ahead of the route — exactly once.

let as: TestIssuer;
let key: DpopKey;
beforeAll(async () => {
  as = await createIssuer();
  key = await createDpopKey();
});

const route = compileRoute({ action: 'search.web' });
const running: Listening[] = [];
afterEach(async () => {
  while (running.length) await running.pop()!.close();
});

/** A guard with a collecting audit, and a server whose handler runs `scenario` and answers its result as JSON. */
type Scenario = (flow: NodeFlow, req: IncomingMessage, res: ServerResponse) => Promise<unknown>;
async function serve(scenario: Scenario, authRequired = true) {
  const events: AuditEvent[] = [];
  const audit = (event: AuditEvent) => void events.push(event);
  const { issuer, audience, jwks } = as;
  const guard: Guard = createGuard({ issuer, audience, jwks, audit, logger: false, authRequired });
  const flow = nodeFlow(guard);
  const server = createServer((req, res) => {
    void scenario(flow, req, res).then((result) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result)),
    );
  });
  const listening = await listen(server, guard);
  running.push(listening);
  return { url: listening.url, events, guard };
}

const kindOf = (outcome: FlowOutcome) => (outcome.kind === 'deny' ? `deny:${outcome.decision.reason}` : outcome.kind);

describe('the per-guard state of a request', () => {
  it("goes new → open → settled, and is this guard's alone: another guard of the app sees a new request", async () => {
    const other = nodeFlow(createGuard({ issuer: as.issuer, audience: as.audience, jwks: as.jwks, logger: false }));
    const { url } = await serve(async (flow, req, res) => {
      const seen = [flow.state(req)];
      await flow.begin(req, res);
      seen.push(flow.state(req), other.state(req));
      await flow.finish(req, res, route);
      seen.push(flow.state(req), other.state(req));
      return seen;
    });
    const token = await as.mint({ capabilities: [{ action: 'search.web' }] });
    expect((await send(url, { path: '/', headers: { authorization: `Bearer ${token}` } })).json).toEqual([
      'new',
      'open',
      'new',
      'settled',
      'new',
    ]);
    await other.guard.close();
  });

  it('refuses a refused request again with the same decision: no second check, one audit event', async () => {
    const { url, events } = await serve(async (flow, req, res) => {
      const first = await flow.begin(req, res);
      const again = await flow.begin(req, res);
      const finished = await flow.finish(req, res, route);
      const same =
        first.kind === 'deny' &&
        again.kind === 'deny' &&
        finished.kind === 'deny' &&
        again.decision === first.decision &&
        finished.decision === first.decision;
      return [flow.state(req), kindOf(again), same, flow.refusal(req)?.reason];
    });
    expect((await send(url, { path: '/' })).json).toEqual([
      'refused',
      'deny:credentials_missing',
      true,
      'credentials_missing',
    ]);
    expect(events).toHaveLength(1);
  });

  it('passes a request without an AAP credential once (authRequired: false): no second check or event', async () => {
    const { url, events } = await serve(async (flow, req, res) => {
      const first = await flow.begin(req, res);
      const seen = [kindOf(first), flow.state(req)];
      seen.push(kindOf(await flow.begin(req, res)), kindOf(await flow.finish(req, res, route)), flow.state(req));
      return seen;
    }, false);
    expect((await send(url, { path: '/' })).json).toEqual(['pass', 'passed', 'pass', 'pass', 'passed']);
    expect(events).toHaveLength(1);
  });

  it('asks skip once per request: later calls repeat the first answer', async () => {
    let asked = 0;
    const { url } = await serve(async (flow, req) => {
      const ask = (on: IncomingMessage) => (asked += 1) > 0 && on.url === '/internal';
      return [flow.skipped(req, ask, req), flow.skipped(req, ask, req), flow.state(req)];
    });
    expect((await send(url, { path: '/internal' })).json).toEqual([true, true, 'skipped']);
    expect((await send(url, { path: '/public' })).json).toEqual([false, false, 'new']);
    expect(asked).toBe(2);
  });
});

describe('a request whose route is not known yet (unresolved)', () => {
  const dpop = async (url: string, token: string, proof?: string) =>
    send(url, {
      path: '/',
      headers: {
        authorization: `DPoP ${token}`,
        dpop: proof ?? (await dpopProof({ key, method: 'GET', url: `${url}/`, accessToken: token })),
      },
    });

  it('consumes the proof ahead of the route; the declaration that follows consumes it no second time: one audit event', async () => {
    const { url, events } = await serve(async (flow, req, res) => {
      await flow.begin(req, res);
      const held = await flow.unresolved(req, res);
      const state = flow.state(req);
      const done = await flow.finish(req, res, compileRoute({ action: 'search.web' }));
      return [kindOf(held), state, kindOf(done), flow.state(req)];
    });
    const token = await as.mint({
      jkt: key.jkt,
      capabilities: [{ action: 'search.web', constraints: { max_requests_per_minute: 5 } }],
    });
    expect((await dpop(url, token)).json).toEqual(['authenticated', 'unresolved', 'allow', 'settled']);
    expect(events.map((event) => [event.decision, event.action])).toEqual([['allow', 'search.web']]);
  });

  it('refuses a replayed proof before anything else runs (dpop_replay), with its one audit event', async () => {
    const { url, events } = await serve(async (flow, req, res) => {
      await flow.begin(req, res);
      const held = await flow.unresolved(req, res);
      if (held.kind === 'authenticated') await flow.finish(req, res); // settled, its proof consumed
      return [kindOf(held), flow.state(req)];
    });
    const token = await as.mint({ jkt: key.jkt, capabilities: [{ action: 'search.web' }] });
    const proof = await dpopProof({ key, method: 'GET', url: `${url}/`, accessToken: token });
    expect((await dpop(url, token, proof)).json).toEqual(['authenticated', 'settled']);
    expect((await dpop(url, token, proof)).json).toEqual(['deny:dpop_replay', 'refused']);
    expect(events.map((event) => event.reason ?? event.decision)).toEqual(['allow', 'dpop_replay']);
  });
});

describe('a body watched before a parser reads it (watchBody)', () => {
  const publish = compileRoute({ action: 'cms.publish' });
  /** A parser that consumes the body before the guard's step runs (as Nest's runs before its guards). */
  const parse = async (req: IncomingMessage) => {
    for await (const chunk of req) void chunk;
  };
  const post = async (url: string) => {
    const oversight = { requires_human_approval_for: ['cms.publish'] };
    const token = await as.mint({ capabilities: [{ action: 'cms.publish' }], sections: { oversight } });
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': '13' };
    return send(url, { method: 'POST', path: '/', headers, chunks: [Buffer.from('{"title":"a"}')] });
  };

  it('binds a hold to the bytes a parser consumed; unwatched, a held action is refused', async () => {
    const watched = await serve(async (flow, req, res) => {
      flow.watchBody(req);
      flow.watchBody(req); // idempotent
      await parse(req);
      return kindOf(await flow.finish(req, res, publish));
    });
    expect((await post(watched.url)).json).toBe('deny:approval_required');
    const [hold] = await watched.guard.holds.list();
    expect(hold?.bodyDigest).toBe(bodyDigest('{"title":"a"}'));
    const unwatched = await serve(async (flow, req, res) => {
      await parse(req);
      return kindOf(await flow.finish(req, res, publish));
    });
    expect((await post(unwatched.url)).json).toBe('deny:hold_body_unavailable');
  });
});
