/**
 * Regression (issue 11, defect 7): an approved hold was burned when the approved retry was refused
 * later in the pipeline — by a quota another token of the agent had spent (test/adapters/suite.ts, "an
 * approved hold is not burned…"), or by a 503 from the store. The hold must be used only by a request
 * that is admitted. Here the store: Redis frozen (SIGSTOP) while the approved retry is decided, through
 * the Express adapter with a DPoP-bound token — 503, and once Redis is back the human's approval is still
 * there and the retry goes through, once.
 */
import { createServer } from 'node:http';
import { aapGuard } from '@aap-guard/express';
import { redisStore } from '@aap-guard/redis';
import { createDpopKey, createIssuer, dpopProof } from '@aap-guard/testing';
import express from 'express';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, send } from '../adapters/kit.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  server.resume();
  await server.stop();
});

describe('an approved hold and a store outage', () => {
  it.each([
    ['a DPoP-bound token (the proof is recorded first)', true],
    ['a Bearer token (the hold is the only store call: Redis runs it late, after the 503)', false],
  ])(
    '%s: a retry refused with 503 while Redis is frozen leaves the hold approved; the next retry is admitted once',
    async (_name, bound) => {
      const as = await createIssuer();
      const key = await createDpopKey();
      const redis = new Redis({
        host: server.host,
        port: server.port,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
      });
      redis.on('error', () => undefined);
      const aap = aapGuard({
        issuer: as.issuer,
        audience: as.audience,
        jwks: as.jwks,
        store: redisStore(redis, { timeoutMs: 200, prefix: `outage${Number(bound)}:` }),
        logger: false,
      });
      const app = express();
      app.use(aap);
      app.post('/v1/publish', aap.require('cms.publish'), (_req, res) => void res.json({ published: true }));
      const api = await listen(createServer(app), aap.guard);
      try {
        await aap.guard.ready({ timeoutMs: 5000 });
        const token = await as.mint({
          ...(bound ? { jkt: key.jkt } : {}),
          capabilities: [{ action: 'cms.publish' }],
          sections: { oversight: { requires_human_approval_for: ['cms.publish'] } },
        });
        const post = async (hold?: string) => {
          const proof: Record<string, string> = bound
            ? {
                authorization: `DPoP ${token}`,
                dpop: await dpopProof({ key, method: 'POST', url: `${api.url}/v1/publish`, accessToken: token }),
              }
            : { authorization: `Bearer ${token}` };
          return send(api.url, {
            method: 'POST',
            path: '/v1/publish',
            headers: { ...proof, ...(hold ? { 'aap-hold-id': hold } : {}) },
          });
        };
        const id = (await post()).json?.hold_id as string;
        expect((await aap.guard.holds.approve(id, { by: 'alice' })).ok).toBe(true);
        server.pause();
        const refused = await post(id);
        expect([refused.status, refused.json?.reason]).toEqual([503, 'store_unavailable']);
        server.resume();
        await new Promise((resolve) => setTimeout(resolve, 300)); // Redis runs what was queued meanwhile
        expect((await aap.guard.holds.get(id))?.status).toBe('approved');
        expect((await post(id)).status).toBe(200);
        expect((await post(id)).json?.reason).toBe('hold_used');
      } finally {
        server.resume();
        await api.close();
        redis.disconnect();
      }
    },
  );
});
