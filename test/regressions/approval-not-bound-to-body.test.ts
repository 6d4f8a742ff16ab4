/**
 * Regression (issue 11, defect 2): a human approval was not bound to the request body by default. With
 * the shipped examples, a human approved "publish d-1" and the agent's retry with the hold id and body
 * `{"id":"d-999"}` got 200 (the examples are covered in test/adapters/suite.ts, "an approval is bound to
 * the body the human approved"). Binding depended on a body parser mounted before the guard leaving a
 * digest. Now the guard reads the body itself (without consuming it); and where it cannot — a parser
 * mounted before the guard consumed it and left no digest — the held action is refused, never bound to
 * method and path alone, and the deployment problem is logged once.
 */
import { createServer } from 'node:http';
import { BODY_DIGEST, bodyDigest, type Logger } from '@aap-guard/core';
import { aapGuard } from '@aap-guard/express';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import express, { type Request } from 'express';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listen, send, type Listening } from '../adapters/kit.js';

let as: TestIssuer;
beforeAll(async () => {
  as = await createIssuer();
});
let running: Listening | undefined;
afterEach(() => running?.close());

const warnings: string[] = [];
const logger: Logger = {
  error: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  warn: (object) => void warnings.push(String(object.event)),
};

async function api(parser: express.RequestHandler) {
  const aap = aapGuard({ issuer: as.issuer, audience: as.audience, jwks: as.jwks, logger });
  const app = express();
  app.use(parser); // BEFORE the guard: the body is consumed before the guard could see it
  app.use(aap);
  app.post(
    '/v1/publish',
    aap.require('cms.publish'),
    (req, res) => void res.json({ published: (req.body as { id?: string }).id }),
  );
  running = await listen(createServer(app), aap.guard);
  const token = await as.mint({
    capabilities: [{ action: 'cms.publish' }],
    sections: { oversight: { requires_human_approval_for: ['cms.publish'] } },
  });
  const post = (id: string, hold?: string) =>
    send(running!.url, {
      method: 'POST',
      path: '/v1/publish',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        ...(hold ? { 'aap-hold-id': hold } : {}),
      },
      chunks: [Buffer.from(JSON.stringify({ id }))],
    });
  return { guard: aap.guard, post };
}

describe('a held action whose body the guard cannot see', () => {
  it('is refused (403 hold_body_unavailable), never bound to method and path alone; the cause is logged once', async () => {
    warnings.length = 0;
    const { post } = await api(express.json());
    for (let i = 0; i < 3; i++) expect((await post('d-1')).json?.reason).toBe('hold_body_unavailable');
    expect(warnings.filter((event) => event === 'oversight.body_unavailable')).toHaveLength(1);
  });

  it('is bound through the digest a parser before the guard left under BODY_DIGEST', async () => {
    const { guard, post } = await api(
      express.json({
        verify: (req, _res, buf) => void ((req as Request & { [BODY_DIGEST]?: string })[BODY_DIGEST] = bodyDigest(buf)),
      }),
    );
    const id = (await post('d-1')).json?.hold_id as string;
    expect((await guard.holds.get(id))?.bodyDigest).toBe(bodyDigest(JSON.stringify({ id: 'd-1' })));
    await guard.holds.approve(id, { by: 'alice' });
    expect((await post('d-999', id)).json?.reason).toBe('hold_mismatch');
    expect((await post('d-1', id)).json).toEqual({ published: 'd-1' });
  });
});
