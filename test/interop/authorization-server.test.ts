/**
 * The full flow with a real authorization server (examples/authorization-server, oidc-provider) and three
 * replica processes of an API sharing one real Redis: an agent obtains a token (client credentials), calls,
 * exchanges it for a delegated token (RFC 8693: depth + 1, chain, parent_jti, fewer capabilities) that a
 * tool uses; an operator revokes at the AS, which pushes a Security Event Token to ONE replica — and every
 * replica refuses within a second. Plus DPoP-bound issuance, opaque tokens introspected by the replicas,
 * and introspection with private_key_jwt and signed answers (RFC 9701) against the real server.
 */
import { exportJWK, generateKeyPair, decodeJwt } from 'jose';
import { createGuard } from '@aap-guard/core';
import { createDpopKey, dpopProof, type DpopKey } from '@aap-guard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: the example is plain JavaScript
import { createAuthorizationServer } from '../../examples/authorization-server/as.mjs';
import { startReplica, type Replica } from '../helpers/processes.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { until } from '../helpers/until.js';

const AUD = 'https://api.example.com';
const SECRET = 'demo-client-secret';
const RS_SECRET = 'rs-introspection-secret';
const EVENTS_KEY = 'as-push-key';
const ADMIN_KEY = 'as-admin-key';

interface AuthorizationServer {
  issuer: string;
  tokenEndpoint: string;
  addReceiver(receiver: { url: string; token?: string }): void;
  close(): Promise<void>;
}

let as: AuthorizationServer;
let redis: RedisServer;
let replicas: Replica[] = [];
let rsKey: { privateJwk: Record<string, unknown> };

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  rsKey = { privateJwk: { ...(await exportJWK(privateKey)), kid: 'rs-1', alg: 'ES256' } };
  as = await createAuthorizationServer({
    audience: AUD,
    otherAudiences: ['https://other-api.example.com'],
    adminKey: ADMIN_KEY,
    resourceServers: [
      { clientId: 'aap-api', secret: RS_SECRET },
      {
        clientId: 'aap-api-pkjwt',
        jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'rs-1', alg: 'ES256', use: 'sig' }] },
      },
    ],
  });
  redis = await startRedis();
  const env = { AS_ISSUER: as.issuer, RS_SECRET, EVENTS_KEY, REDIS_SINGLE: `${redis.host}:${redis.port}` };
  replicas = await Promise.all([0, 1, 2].map(() => startReplica(env, 'as-replica-server.ts')));
  as.addReceiver({ url: `${base(replicas[0]!)}/aap-events`, token: EVENTS_KEY }); // one replica: the store fans out
});

afterAll(async () => {
  await Promise.all(replicas.map((replica) => replica.stop()));
  await redis?.stop();
  await as?.close();
});

const base = (replica: Replica) => `http://127.0.0.1:${replica.port}/single`;
const basic = (id: string, secret = SECRET) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/** A token request at the AS, as an agent makes it (with a DPoP proof when it holds a DPoP key). */
async function tokenRequest(
  clientId: string,
  form: Record<string, string>,
  dpopKey?: DpopKey,
): Promise<Record<string, unknown>> {
  const headers: Record<string, string> = {
    authorization: basic(clientId),
    'content-type': 'application/x-www-form-urlencoded',
  };
  if (dpopKey) headers.dpop = await dpopProof({ key: dpopKey, method: 'POST', url: as.tokenEndpoint });
  const res = await fetch(as.tokenEndpoint, { method: 'POST', headers, body: new URLSearchParams(form) });
  return { status: res.status, ...((await res.json()) as Record<string, unknown>) };
}
const clientCredentials = async (clientId: string, dpopKey?: DpopKey) =>
  String((await tokenRequest(clientId, { grant_type: 'client_credentials' }, dpopKey)).access_token);
const exchange = (clientId: string, subjectToken: string, scope?: string) =>
  tokenRequest(clientId, {
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    subject_token: subjectToken,
    subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    ...(scope ? { scope } : {}),
  });

/** One call to a replica: `status reason`. */
async function call(
  replica: Replica,
  path: string,
  token: string,
  headers: Record<string, string> = {},
): Promise<string> {
  const res = await fetch(`${base(replica)}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } });
  const body = (await res.json()) as { reason?: string };
  return `${res.status}${body.reason ? ` ${body.reason}` : ''}`;
}

async function revokeAtAs(revocation: Record<string, string>): Promise<unknown> {
  const res = await fetch(`${as.issuer}/admin/revocations`, {
    method: 'POST',
    headers: { 'x-admin-key': ADMIN_KEY, 'content-type': 'application/json' },
    body: JSON.stringify(revocation),
  });
  return res.json();
}

/** The deadline of the issue: every replica refuses within 1 s of the AS answering the revocation. */
const refusedEverywhere = (path: string, token: string) =>
  Promise.all(
    replicas.map((replica) => until(async () => (await call(replica, path, token)) === '401 token_revoked', 1000)),
  );

describe('the example authorization server and three replicas', () => {
  it('token → call → exchange → delegated call → revoke the parent token at the AS → both refused on every replica within 1 s', async () => {
    const [one, two, three] = replicas as [Replica, Replica, Replica];
    const token = await clientCredentials('agent-writer-01');
    expect(await call(one, '/draft', token)).toBe('200');
    const exchanged = await exchange('tool-summarizer', token, 'cms.create_draft');
    expect(exchanged).toMatchObject({
      status: 200,
      issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    });
    const delegated = String(exchanged.access_token);
    const parent = decodeJwt(token);
    expect(decodeJwt(delegated)).toMatchObject({
      sub: 'agent-writer-01',
      act: { sub: 'tool-summarizer' },
      agent: { id: 'tool-summarizer' },
      capabilities: [{ action: 'cms.create_draft' }],
      delegation: { depth: 1, max_depth: 2, chain: ['agent-writer-01', 'tool-summarizer'], parent_jti: parent.jti },
    });
    expect(await call(two, '/draft', delegated)).toBe('200');
    expect(await call(three, '/x', delegated)).toBe('403 capability_missing'); // reduced capabilities
    expect(await call(three, '/x', token)).toBe('200');
    await revokeAtAs({ jti: String(parent.jti) });
    await Promise.all([refusedEverywhere('/draft', token), refusedEverywhere('/draft', delegated)]);
  });

  it('the AS refuses exchanges that escalate, go deeper than max_depth, or start from a revoked token', async () => {
    const token = await clientCredentials('agent-search-05');
    expect(await exchange('tool-summarizer', token, 'cms.publish')).toMatchObject({
      status: 400,
      error: 'invalid_scope',
    });
    const hop1 = String((await exchange('tool-summarizer', token)).access_token);
    const hop2 = String((await exchange('tool-summarizer', hop1)).access_token);
    expect(decodeJwt(hop2)).toMatchObject({
      delegation: { depth: 2 },
      act: { sub: 'tool-summarizer', act: { sub: 'tool-summarizer' } },
    });
    expect(await call(replicas[1]!, '/x', hop2)).toBe('200');
    expect(await exchange('tool-summarizer', hop2)).toMatchObject({ status: 400, error: 'invalid_grant' });
    await revokeAtAs({ task_id: 'task-search-005' });
    expect(await exchange('tool-summarizer', token)).toMatchObject({ status: 400, error: 'invalid_grant' });
    await refusedEverywhere('/x', hop2);
  });

  it('a token requested with a DPoP proof is bound to that key: with a proof it passes, as Bearer it is a downgrade', async () => {
    const key = await createDpopKey();
    const token = await clientCredentials('agent-search-02', key);
    expect(decodeJwt(token)).toMatchObject({ cnf: { jkt: key.jkt }, aap_agent: { id: 'agent-search-02' } }); // the prefixed spelling
    const url = `${base(replicas[2]!)}/x`;
    const proof = await dpopProof({ key, method: 'GET', url, accessToken: token });
    const res = await fetch(url, { headers: { authorization: `DPoP ${token}`, dpop: proof } });
    expect(res.status).toBe(200);
    expect(await call(replicas[0]!, '/x', token)).toBe('401 dpop_downgrade');
  });

  it('introspection with private_key_jwt and signed answers (RFC 9701) works against oidc-provider', async () => {
    const guard = createGuard({
      issuer: as.issuer,
      audience: AUD,
      logger: false,
      introspection: {
        client: { id: 'aap-api-pkjwt', auth: 'private_key_jwt', key: rsKey.privateJwk },
        jwtResponse: true,
      },
    });
    const token = await clientCredentials('agent-opaque-06');
    const request = (t: string) => ({ method: 'GET', url: `${AUD}/x`, headers: { authorization: `Bearer ${t}` } });
    const allowed = await guard.check(request(token), { action: 'search.web' });
    expect([allowed.allowed, allowed.claims?.agent.id, allowed.claims?.iss]).toEqual([
      true,
      'agent-opaque-06',
      as.issuer,
    ]);
    expect((await guard.check(request('never-issued'), { action: 'search.web' })).reason).toBe('token_inactive');
    const post = createGuard({
      issuer: as.issuer,
      audience: AUD,
      logger: false,
      introspection: { client: { id: 'aap-api', auth: 'client_secret_post', secret: RS_SECRET } },
    });
    expect((await post.check(request(token), { action: 'search.web' })).allowed).toBe(true);
    const wrong = createGuard({
      issuer: as.issuer,
      audience: AUD,
      logger: false,
      introspection: { client: { id: 'aap-api', secret: 'wrong' } },
    });
    expect((await wrong.check(request(token), { action: 'search.web' })).reason).toBe('introspection_unavailable');
    await Promise.all([guard.close(), post.close(), wrong.close()]);
  });

  it('an opaque token is introspected by the replicas; revoking its task at the AS refuses it everywhere within 1 s', async () => {
    const token = await clientCredentials('agent-opaque-06');
    expect(token.split('.')).toHaveLength(1);
    for (const replica of replicas) expect(await call(replica, '/x', token)).toBe('200');
    expect(await call(replicas[0]!, '/draft', token)).toBe('403 capability_missing');
    await revokeAtAs({ task_id: 'task-opaque-006' });
    await refusedEverywhere('/x', token);
    expect(await call(replicas[1]!, '/x', 'an-opaque-token-the-as-never-issued')).toBe('401 token_inactive');
  });
});
