/**
 * Regression: an introspection answer without `sub` was refused (401 `token_claims_invalid`, path `/sub`).
 * RFC 7662 §2.2 makes `sub` OPTIONAL, and a stock oidc-provider answers for a client-credentials token
 * without one. The subject of such a token is the client (RFC 9068 §2.2: "in cases of access tokens
 * obtained through grants where no resource owner is involved, such as the client credentials grant, the
 * value of sub SHOULD correspond to an identifier the authorization server uses to indicate the client
 * application"), so the guard takes the answer's `client_id` as `sub` when `sub` is absent. Over real HTTP
 * against the example authorization server (oidc-provider), whose `agent-opaque-08` gets no `sub`.
 */
import { createGuard } from '@aap-guard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: the example is plain JavaScript
import { createAuthorizationServer } from '../../examples/authorization-server/as.mjs';

const AUD = 'https://api.example.com';
const RS_SECRET = 'rs-introspection-secret';

let as: { issuer: string; tokenEndpoint: string; close(): Promise<void> };

beforeAll(async () => {
  as = await createAuthorizationServer({
    audience: AUD,
    resourceServers: [{ clientId: 'aap-api', secret: RS_SECRET }],
  });
});

afterAll(async () => {
  await as?.close();
});

async function clientCredentials(clientId: string): Promise<string> {
  const authorization = `Basic ${Buffer.from(`${clientId}:demo-client-secret`).toString('base64')}`;
  const res = await fetch(as.tokenEndpoint, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  return String(((await res.json()) as { access_token?: string }).access_token);
}

async function introspect(token: string): Promise<Record<string, unknown>> {
  const authorization = `Basic ${Buffer.from(`aap-api:${RS_SECRET}`).toString('base64')}`;
  const res = await fetch(`${as.issuer}/token/introspection`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ token }),
  });
  return (await res.json()) as Record<string, unknown>;
}

describe('introspection answers without sub', () => {
  it('a client-credentials token whose answer has no sub is accepted, with client_id as its subject', async () => {
    const token = await clientCredentials('agent-opaque-08');
    const answer = await introspect(token);
    expect([answer.active, answer.sub, answer.client_id]).toEqual([true, undefined, 'agent-opaque-08']); // what oidc-provider says
    const guard = createGuard({
      issuer: as.issuer,
      audience: AUD,
      logger: false,
      introspection: { client: { id: 'aap-api', secret: RS_SECRET } },
    });
    const decision = await guard.check(
      { method: 'GET', url: `${AUD}/x`, headers: { authorization: `Bearer ${token}` } },
      { action: 'search.web' },
    );
    expect([decision.allowed, decision.reason, decision.claims?.sub, decision.claims?.agent.id]).toEqual([
      true,
      undefined,
      'agent-opaque-08',
      'agent-opaque-08',
    ]);
    await guard.close();
  });
});
