/**
 * Regression (issue 25 item 5, left for Express): `aapGuard()` mounted under a path — `app.use('/api', aap)`,
 * `router.use(aap)` in a router mounted at `/api`, a sub-app — never sees the root's well-known paths, so the
 * RFC 9728 document its 401 challenges point to (`resource_metadata`) answered 404 and a client could not
 * discover the authorization server. Now `aap.metadata()` serves it from the app's root, and a guard that finds
 * itself mounted under a path without one says so once, in the log. Over real HTTP.
 */
import { createServer } from 'node:http';
import { aapGuard } from '@aap-guard/express';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { listen, send, useAuditedIssuer, type Listening } from '../adapters/kit.js';

const fixture = useAuditedIssuer();
let running: Listening | undefined;
afterEach(() => running?.close());

/** An app whose guard sits in a router mounted at /api; `withMetadata`: `app.use(aap.metadata())` at the root. */
async function api(withMetadata: boolean) {
  const lines: Record<string, unknown>[] = [];
  const logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (fields: Record<string, unknown>) => void lines.push(fields),
    error: (fields: Record<string, unknown>) => void lines.push(fields),
  };
  const aap = aapGuard({ ...fixture.options([]), logger, delegation: { unknownParent: 'allow-audited' } });
  const app = express();
  if (withMetadata) app.use(aap.metadata());
  const router = express.Router();
  router.use(aap);
  router.get('/v1/search', aap.require('search.web'), (_req, res) => void res.json({ ok: true }));
  app.use('/api', router);
  running = await listen(createServer(app), aap.guard);
  return { url: running.url, lines: () => lines.filter((line) => line.event === 'metadata.unreachable') };
}

describe('Express: a guard mounted under a path, and the RFC 9728 document its challenges point to', () => {
  it('aap.metadata() at the root serves the document the 401 challenge names', async () => {
    const { url, lines } = await api(true);
    const refused = await send(url, { path: '/api/v1/search' });
    expect(refused.status).toBe(401);
    const advertised = /resource_metadata="([^"]+)"/.exec(String(refused.headers['www-authenticate']))?.[1];
    expect(advertised).toBeDefined();
    const document = await send(url, { path: new URL(advertised!).pathname });
    expect(document.status).toBe(200);
    expect(document.json).toMatchObject({ authorization_servers: [fixture.as.issuer] });
    expect((await send(url, { path: '/api/v1/search', headers: {} })).status).toBe(401); // other paths go on
    expect(lines()).toEqual([]);
  });

  it('without it, the guard says once that the document is not reachable where it is mounted', async () => {
    const { url, lines } = await api(false);
    expect((await send(url, { path: '/api/v1/search' })).status).toBe(401);
    expect((await send(url, { path: '/api/v1/search' })).status).toBe(401);
    expect(lines()).toEqual([expect.objectContaining({ event: 'metadata.unreachable', mount: '/api' })]);
    expect((await send(url, { path: '/.well-known/oauth-protected-resource' })).status).toBe(404);
  });
});
