/**
 * The draft ("Audit and Trace Propagation") wants every decision logged with a trace id, agent, task,
 * action and outcome; issue "Operability" adds a request id, the client address and `grant_id`.
 * Through a real guard and real signed tokens.
 */
import { createGuard, type AuditEvent, type GuardOptions } from '@aap-guard/core';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import { beforeAll, describe, expect, it } from 'vitest';

let as: TestIssuer;
beforeAll(async () => {
  as = await createIssuer();
});

async function audited(
  headers: Record<string, string | string[]>,
  options: Partial<GuardOptions> = {},
  request: { clientIp?: string } = {},
) {
  const events: AuditEvent[] = [];
  const guard = createGuard({
    issuer: as.issuer,
    audience: as.audience,
    jwks: as.jwks,
    logger: false,
    audit: (event) => void events.push(event),
    ...options,
  });
  const decision = await guard.check(
    { method: 'GET', url: 'https://api.example.com/v1/search?q=x', headers, ...request },
    { action: 'search.web' },
  );
  await guard.close();
  expect(events).toHaveLength(1);
  expect(events[0]).toBe(decision.audit); // the sink gets the decision's own event
  return events[0]!;
}

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('audit event: correlation, client, grant', () => {
  it('carries agent, task, action, outcome, latency, grant_id and a request id from X-Request-Id', async () => {
    const token = await as.mint({ claims: { grant_id: 'grant-42', audit: { trace_id: 'trace-from-token' } } });
    const event = await audited({ authorization: `Bearer ${token}`, 'x-request-id': 'req-7f3a_01:ab' });
    expect(event).toMatchObject({
      decision: 'allow',
      status: 200,
      action: 'search.web',
      agent: { id: 'agent-researcher-01' },
      task: { id: 'task-001' },
      grantId: 'grant-42',
      traceId: 'trace-from-token',
      requestId: 'req-7f3a_01:ab',
      method: 'GET',
      path: '/v1/search',
    });
    expect(event.latencyMs).toBeGreaterThan(0);
    expect(JSON.stringify(event)).not.toContain(token);
  });

  it('without X-Request-Id the request id is the W3C traceparent trace id', async () => {
    const event = await audited({ authorization: `Bearer ${await as.mint()}`, traceparent: TRACEPARENT });
    expect(event.requestId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(event.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it.each([
    ['too long', { 'x-request-id': 'a'.repeat(129) }],
    ['a space and a quote', { 'x-request-id': 'abc "def' }],
    ['a newline (log injection)', { 'x-request-id': 'abc\n{"decision":"allow"}' }],
    ['sent twice', { 'x-request-id': ['a', 'b'] }],
    ['an all-zero traceparent', { traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' }],
    ['traceparent version ff', { traceparent: 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }],
    ['traceparent version 00 with extra fields', { traceparent: `${TRACEPARENT}-x` }],
    ['upper-case traceparent', { traceparent: TRACEPARENT.toUpperCase() }],
  ])(
    'a malformed correlation header (%s) is never echoed: a request id is generated instead',
    async (_name, headers) => {
      const event = await audited(headers as Record<string, string | string[]>);
      expect(event.reason).toBe('credentials_missing');
      expect(event.requestId).toMatch(/^[\w-]{12}\.[\da-z]+$/);
      expect(event.traceId).toBeUndefined();
    },
  );

  it('generated request ids differ from request to request', async () => {
    const first = await audited({});
    const second = await audited({});
    expect(first.requestId).not.toBe(second.requestId);
  });

  it('a traceparent of a later version with more fields is accepted (W3C Trace Context §3.2.4)', async () => {
    const event = await audited({ traceparent: '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future' });
    expect(event.requestId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('records the client address after trusted-proxy resolution, on denies too', async () => {
    const headers = { 'x-forwarded-for': '198.51.100.9, 203.0.113.7' };
    expect((await audited(headers, {}, { clientIp: '10.0.0.2' })).clientIp).toBe('10.0.0.2'); // untrusted peer: its own address
    const viaProxy = await audited(headers, { trustProxy: ['10.0.0.0/8'] }, { clientIp: '10.0.0.2' });
    expect(viaProxy.clientIp).toBe('203.0.113.7');
    expect(viaProxy.reason).toBe('credentials_missing');
  });

  it('a non-string grant_id is left out', async () => {
    const event = await audited({ authorization: `Bearer ${await as.mint({ claims: { grant_id: { id: 1 } } })}` });
    expect(event.decision).toBe('allow');
    expect(event.grantId).toBeUndefined();
  });
});

describe('audit event: nothing built without a sink', () => {
  it('a decision builds its audit event only when asked, once', async () => {
    const guard = createGuard({ issuer: as.issuer, audience: as.audience, jwks: as.jwks, logger: false });
    const decision = await guard.check(
      { method: 'GET', url: 'https://api.example.com/x', headers: {} },
      { action: 'search.web' },
    );
    expect(typeof Object.getOwnPropertyDescriptor(Object.getPrototypeOf(decision), 'audit')?.get).toBe('function'); // a getter, not a value
    const first = decision.audit;
    expect(decision.audit).toBe(first);
    expect(first).toMatchObject({ decision: 'deny', reason: 'credentials_missing', action: 'search.web' });
    expect(first.latencyMs).toBeGreaterThan(0);
    await guard.close();
  });
});
