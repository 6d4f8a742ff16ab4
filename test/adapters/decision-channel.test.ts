/**
 * Regression: denies that only an adapter can see (an undeclared route, a streamed body over
 * max_request_size, a fault in the adapter's path) reached the audit sink but not the
 * `aap-guard:decision` channel, so metrics built on the channel (OpenTelemetry, Prometheus) never
 * counted them. Over real HTTP through the Express adapter.
 */
import diagnostics_channel from 'node:diagnostics_channel';
import { createServer } from 'node:http';
import express from 'express';
import { CHANNELS, type DecisionMessage } from '@aap-guard/core';
import { aapGuard } from '@aap-guard/express';
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, listen, setup } from './kit.js';

const seen: DecisionMessage[] = [];
const onDecision = (message: unknown) => void seen.push(message as DecisionMessage);
afterEach(() => {
  diagnostics_channel.unsubscribe(CHANNELS.decision, onDecision);
  seen.length = 0;
});

describe('aap-guard:decision', () => {
  it("an adapter-made deny (route_undeclared) is published like the core's denies, with its audit event", async () => {
    const { as, guard, events } = await setup({ logger: false });
    const app = express();
    const aap = aapGuard({ guard, undeclared: 'deny' });
    app.use(aap);
    app.get('/undeclared', (_req, res) => void res.json({}));
    const server = await listen(createServer(app), guard);
    diagnostics_channel.subscribe(CHANNELS.decision, onDecision);
    try {
      const res = await fetch(`${server.url}/undeclared`, { headers: { authorization: bearer(await as.mint()) } });
      expect(res.status).toBe(403);
      const denied = events.find((event) => event.reason === 'route_undeclared');
      expect(denied).toBeDefined();
      const published = seen.find((message) => message.decision.reason === 'route_undeclared');
      expect(published?.decision.allowed).toBe(false);
      expect(published?.decision.audit).toBe(denied);
    } finally {
      await server.close(); // and the guard
    }
  });
});
