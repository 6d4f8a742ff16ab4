/**
 * @aap-guard/core/opentelemetry with the real OpenTelemetry SDK (in-memory span exporter, a pull
 * metric reader): spans and metrics from real guard.check() calls, a real JWKS over loopback HTTP
 * and the memory store's consume — nothing inside the guard knows OpenTelemetry.
 */
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  DataPointType,
  MeterProvider,
  MetricReader,
  type HistogramMetricData,
  type MetricData,
  type SumMetricData,
} from '@opentelemetry/sdk-metrics';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGuard, type Guard } from '@aap-guard/core';
import { nodeFlow } from '@aap-guard/core/node';
import { installOpenTelemetry, type OpenTelemetryInstallation } from '@aap-guard/core/opentelemetry';
import { createIssuer, serveJwks, type JwksServer, type TestIssuer } from '@aap-guard/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

/** A reader the test pulls from. */
class PullReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const contextManager = new AsyncLocalStorageContextManager().enable();
let exporter: InMemorySpanExporter;
let reader: PullReader;
let tracerProvider: BasicTracerProvider;
let otel: OpenTelemetryInstallation;
let as: TestIssuer;
let jwksServer: JwksServer;
let guard: Guard;

beforeAll(async () => {
  context.setGlobalContextManager(contextManager);
  as = await createIssuer({ issuer: 'https://as.example.com' });
  jwksServer = await serveJwks(as.jwks);
});
afterAll(async () => {
  await jwksServer.close();
  context.disable();
});
beforeEach(() => {
  exporter = new InMemorySpanExporter();
  tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  reader = new PullReader();
  otel = installOpenTelemetry({ tracerProvider, meterProvider: new MeterProvider({ readers: [reader] }) });
  guard = createGuard({ issuer: as.issuer, audience: as.audience, jwks: { uri: jwksServer.jwksUri }, logger: false });
});
afterEach(async () => {
  otel.uninstall();
  await guard.close();
});

const request = (token?: string) => ({
  method: 'GET',
  url: 'https://api.example.com/v1/search',
  headers: token ? { authorization: `Bearer ${token}` } : {},
});

async function metric(name: string): Promise<MetricData | undefined> {
  const { resourceMetrics } = await reader.collect();
  return resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).find((m) => m.descriptor.name === name);
}

describe('installOpenTelemetry', () => {
  it('one span per check with aap.* attributes, child of the active span; never the token', async () => {
    const capabilities = [{ action: 'search.web' }];
    const token = await as.mint({
      capabilities,
      sections: {
        delegation: { depth: 1, max_depth: 2, chain: ['agent-root', 'agent-researcher-01'] },
        audit: { trace_id: 'trace-77' },
      },
    });
    const tracer = tracerProvider.getTracer('test');
    await tracer.startActiveSpan('GET /v1/search', async (parent) => {
      expect((await guard.check(request(token), { action: 'search.web' })).allowed).toBe(true);
      parent.end();
    });
    expect((await guard.check(request(), { action: 'search.web' })).reason).toBe('credentials_missing');
    expect((await guard.check(request(token), { action: 'cms.publish' })).reason).toBe('capability_missing');

    const spans = exporter.getFinishedSpans().filter((span) => span.name === 'aap-guard check');
    expect(spans.map((span) => span.attributes)).toEqual([
      {
        'aap.phase': 'check',
        'http.request.method': 'GET',
        'aap.action': 'search.web',
        'aap.decision': 'allow',
        'aap.status': 200,
        'aap.agent.id': 'agent-researcher-01',
        'aap.agent.operator': 'org:example',
        'aap.task.id': 'task-001',
        'aap.delegation.depth': 1,
        'aap.audit.trace_id': 'trace-77',
      },
      expect.objectContaining({
        'aap.decision': 'deny',
        'aap.status': 401,
        'aap.reason': 'credentials_missing',
        'aap.error': 'invalid_token',
      }),
      expect.objectContaining({
        'aap.decision': 'deny',
        'aap.status': 403,
        'aap.reason': 'capability_missing',
        'aap.action': 'cms.publish',
        'aap.agent.id': 'agent-researcher-01',
      }),
    ]);
    const parent = exporter.getFinishedSpans().find((span) => span.name === 'GET /v1/search')!;
    expect(spans[0]!.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(spans[0]!.spanContext().traceId).toBe(parent.spanContext().traceId);
    expect(JSON.stringify(exporter.getFinishedSpans().map((span) => span.attributes))).not.toContain(token);
  });

  it("the adapters' two halves are spans too, named by phase: one per decision", async () => {
    const flow = nodeFlow(guard);
    const server = createServer((req, res) => {
      void (async () => {
        const begun = await flow.begin(req, res); // app-wide middleware: steps 1–4
        const done =
          begun.kind === 'authenticated' ? await flow.finish(req, res, guard.route({ action: 'search.web' })) : begun; // the route's declaration
        res.end(done.kind);
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect(
        await (await fetch(`${base}/v1/search`, { headers: { authorization: `Bearer ${await as.mint()}` } })).text(),
      ).toBe('allow');
      expect(await (await fetch(`${base}/v1/search`)).text()).toBe('deny');
    } finally {
      server.close();
    }
    expect(
      exporter
        .getFinishedSpans()
        .map((span) => [span.name, span.attributes['aap.phase'], span.attributes['aap.decision']]),
    ).toEqual([
      ['aap-guard authorize', 'authorize', 'allow'],
      ['aap-guard authenticate', 'authenticate', 'deny'],
    ]);
  });

  it('a JWKS outage is a span with status ERROR and a 503 decision', async () => {
    const down = createGuard({
      issuer: as.issuer,
      audience: as.audience,
      jwks: { uri: 'http://127.0.0.1:9/jwks', timeoutMs: 2000 },
      logger: false,
    });
    expect((await down.check(request(await as.mint()), { action: 'search.web' })).reason).toBe('jwks_unavailable');
    await down.close();
    const [span] = exporter.getFinishedSpans();
    expect(span?.status).toMatchObject({ code: 2, message: 'jwks_unavailable' });
    const fetches = (await metric('aap.jwks.fetch.duration')) as HistogramMetricData;
    expect(fetches.dataPoints[0]?.attributes).toMatchObject({
      'url.full': 'http://127.0.0.1:9/jwks',
      'error.type': expect.any(String),
    });
  });

  it('counts decisions by outcome, reason and action', async () => {
    const token = await as.mint();
    for (let i = 0; i < 3; i++) await guard.check(request(token), { action: 'search.web' });
    for (let i = 0; i < 2; i++) await guard.check(request(), { action: 'search.web' });
    const counter = (await metric('aap.decisions')) as SumMetricData;
    expect(counter.descriptor.unit).toBe('{decision}');
    const points = counter.dataPoints.map((point) => [point.attributes, point.value]);
    expect(points).toEqual(
      expect.arrayContaining([
        [{ 'aap.decision': 'allow', 'aap.action': 'search.web' }, 3],
        [{ 'aap.decision': 'deny', 'aap.action': 'search.web', 'aap.reason': 'credentials_missing' }, 2],
      ]),
    );
    const checks = (await metric('aap.check.duration')) as HistogramMetricData;
    expect(checks.dataPointType).toBe(DataPointType.HISTOGRAM);
    expect(checks.descriptor.unit).toBe('s');
    const allowed = checks.dataPoints.find((point) => point.attributes['aap.decision'] === 'allow')!;
    expect(allowed.value.count).toBe(3);
    expect(allowed.value.sum).toBeGreaterThan(0);
  });

  it('records JWKS fetch latency (a real JWKS on 127.0.0.1) and store latency (memory store consume)', async () => {
    const before = jwksServer.fetches;
    const token = await as.mint({
      capabilities: [{ action: 'search.web', constraints: { max_requests_per_minute: 10 } }],
    });
    for (let i = 0; i < 2; i++)
      expect((await guard.check(request(token), { action: 'search.web' })).allowed).toBe(true);
    expect(jwksServer.fetches).toBe(before + 1);
    const fetches = (await metric('aap.jwks.fetch.duration')) as HistogramMetricData;
    expect(fetches.dataPoints).toHaveLength(1);
    expect(fetches.dataPoints[0]!.attributes).toEqual({
      'url.full': jwksServer.jwksUri,
      'http.response.status_code': 200,
    });
    expect(fetches.dataPoints[0]!.value.count).toBe(1);
    expect(fetches.dataPoints[0]!.value.sum).toBeGreaterThan(0);
    const store = (await metric('aap.store.operation.duration')) as HistogramMetricData;
    expect(store.dataPoints.map((point) => [point.attributes, point.value.count])).toEqual([
      [{ 'aap.store.operation': 'consume' }, 2],
    ]);
  });

  it('uninstall() stops every span and measurement; it can be called twice', async () => {
    const token = await as.mint();
    await guard.check(request(token), { action: 'search.web' });
    otel.uninstall();
    otel.uninstall();
    await guard.check(request(token), { action: 'search.web' });
    await guard.check(request(), { action: 'search.web' });
    expect(exporter.getFinishedSpans()).toHaveLength(1);
    const counter = (await metric('aap.decisions')) as SumMetricData;
    expect(counter.dataPoints.reduce((sum, point) => sum + point.value, 0)).toBe(1);
  });

  it('counts what report-only policies would have denied (aap.would_deny) and names it on the span', async () => {
    const reporting = createGuard({
      issuer: as.issuer,
      audience: as.audience,
      jwks: { uri: jwksServer.jwksUri },
      logger: false,
      reportOnly: ['destination-ip'],
    });
    try {
      const token = await as.mint({
        capabilities: [{ action: 'search.web', constraints: { ip_ranges_allowed: ['0.0.0.0/0', '::/0'] } }],
      });
      // no target: the destination cannot be checked (would deny); the caller, still checked while report-only, is in
      // range
      const decision = await reporting.check({ ...request(token), clientIp: '127.0.0.1' }, { action: 'search.web' });
      expect([decision.allowed, decision.wouldDeny?.map((would) => would.reason)]).toEqual([
        true,
        ['destination_unresolved'],
      ]);
    } finally {
      await reporting.close();
    }
    const counter = (await metric('aap.would_deny')) as SumMetricData;
    expect(counter.descriptor.unit).toBe('{deny}');
    expect(counter.dataPoints.map((point) => [point.attributes, point.value])).toEqual([
      [{ 'aap.policy': 'destination-ip', 'aap.reason': 'destination_unresolved', 'aap.action': 'search.web' }, 1],
    ]);
    const span = exporter.getFinishedSpans().find((finished) => finished.attributes['aap.would_deny'] !== undefined);
    expect(span?.attributes['aap.would_deny']).toEqual(['destination_unresolved']);
  });
});
