/**
 * What a request costs end to end, through `guard.check()` with a real DPoP-bound token and real proofs:
 * the proof's `jti` and both rate-limit windows of the capability are checked and consumed in ONE
 * EVALSHA — for an admitted request, a refused one and a replayed proof alike — and nothing else is sent.
 */
import { Redis } from 'ioredis';
import { createGuard, type Guard } from '@aap-guard/core';
import { redisStore } from '@aap-guard/redis';
import { createDpopKey, createIssuer, dpopProof } from '@aap-guard/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { clientCommands, startRedis, type RedisServer } from '../../../test/helpers/redis.js';

const URL_ = 'https://api.example.com/v1/search';
let server: RedisServer;
let redis: Redis;
let guard: Guard;

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis({ host: server.host, port: server.port, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  await new Promise((resolve) => redis.once('ready', resolve));
});

afterAll(async () => {
  await guard?.close();
  redis?.disconnect();
  await server?.stop();
});

it('one EVALSHA per request for the DPoP replay check and every window, and no other command', async () => {
  const issuer = await createIssuer();
  const key = await createDpopKey();
  guard = createGuard({
    issuer: issuer.issuer,
    audience: issuer.audience,
    jwks: issuer.jwks,
    store: redisStore(redis),
  });
  await guard.revocations.whenSynced();
  const constraints = { max_requests_per_minute: 3, max_requests_per_hour: 100 };
  const token = await issuer.mint({ jkt: key.jkt, capabilities: [{ action: 'search.web', constraints }] });
  const send = async (proof?: string) => {
    const dpop = proof ?? (await dpopProof({ key, method: 'GET', url: URL_, accessToken: token }));
    const decision = await guard.check(
      { method: 'GET', url: URL_, headers: { authorization: `DPoP ${token}`, dpop } },
      { action: 'search.web' },
    );
    return { decision, dpop };
  };
  const first = await send(); // loads the script (NOSCRIPT → EVAL) before counting
  expect(first.decision.status).toBe(200);

  const { result, commands } = await clientCommands(server, async () => {
    const statuses: (string | number)[] = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await send()).decision.status);
    statuses.push((await send(first.dpop)).decision.reason ?? 'allowed');
    return statuses;
  });
  expect(result).toEqual([200, 200, 429, 'dpop_replay']);
  expect(commands).toEqual({ evalsha: 4 });
});
