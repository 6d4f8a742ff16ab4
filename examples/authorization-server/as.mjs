// The authorization server of the examples: oidc-provider (a certified OAuth 2.0 / OpenID Connect server)
// configured to issue AAP access tokens. What an agent gets here is what aap-guard checks there:
//   - client credentials (RFC 6749 §4.4): a JWT access token (RFC 9068) carrying the agent's AAP claims,
//     DPoP-bound (RFC 9449) when the token request carries a proof, opaque for clients registered so;
//   - token exchange (RFC 8693, token-exchange.mjs): a delegated token for a tool, one hop deeper;
//   - introspection (RFC 7662, signed answers per RFC 9701) and revocation (RFC 7009) of opaque tokens;
//   - revocation of tokens, tasks or agents by an operator (POST /admin/revocations), pushed to every
//     resource server as a Security Event Token (RFC 8417, RFC 8935; security-events.mjs).
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { AGENTS, DEMO_SECRET, aapClaimsOf } from './agents.mjs';
import { securityEventPusher } from './security-events.mjs';
import { TOKEN_EXCHANGE, registerTokenExchange } from './token-exchange.mjs';

/**
 * Start the authorization server on loopback.
 * @param {{ port?: number, host?: string, audience?: string, otherAudiences?: string[], adminKey?: string,
 *   resourceServers?: { clientId: string, secret?: string, jwks?: { keys: object[] } }[], ttl?: number }} [options]
 * @returns {Promise<{ issuer: string, tokenEndpoint: string, jwks: { keys: object[] },
 *   addReceiver(receiver: { url: string, audience?: string, token?: string }): void,
 * revoke(revocation: Record<string, string>): Promise<{ url: string, status: number | string }[]>, close():
 * Promise<void> }>}
 */
export async function createAuthorizationServer(options = {}) {
  const audience = options.audience ?? 'https://api.example.com';
  const audiences = new Set([audience, ...(options.otherAudiences ?? [])]);
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = 'as-signing-key-1';
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' };
  const publicJwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }] };
  const revoked = { jti: new Set(), task: new Set(), agent: new Set(), grant: new Set() };
  const receivers = [];
  const delegated = new WeakMap();

  const server = createServer();
  await new Promise((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const issuer = `http://${options.host ?? '127.0.0.1'}:${server.address().port}`;
  const resourceInfo = (ttl = options.ttl ?? 600, format = 'jwt') => ({
    scope: 'aap',
    accessTokenTTL: ttl,
    accessTokenFormat: format,
    jwt: { sign: { alg: 'ES256' } },
  });

  const provider = new Provider(
    issuer,
    configuration({
      audience,
      audiences,
      privateJwk,
      revoked,
      delegated,
      resourceInfo,
      resourceServers: options.resourceServers ?? [],
    }),
  );
  registerTokenExchange(provider, {
    publicJwks,
    audience,
    delegated,
    isRevoked: (claims) => isRevoked(revoked, claims),
    resourceInfo,
  });
  const push = securityEventPusher({ issuer, key: privateKey, kid, alg: 'ES256' });
  const revoke = async (revocation) => {
    for (const [member, kind] of [
      ['jti', 'jti'],
      ['task_id', 'task'],
      ['agent_id', 'agent'],
      ['grant_id', 'grant'],
    ])
      if (revocation[member]) revoked[kind].add(revocation[member]);
    return push(receivers, revocation);
  };
  const callback = provider.callback();
  server.on('request', (req, res) => {
    if (req.url === '/admin/revocations') return void admin(req, res, options.adminKey, revoke);
    callback(req, res);
  });
  return {
    issuer,
    tokenEndpoint: `${issuer}/token`,
    jwks: publicJwks,
    addReceiver: ({ url, audience: aud = audience, token }) => void receivers.push({ url, audience: aud, token }),
    revoke,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** oidc-provider's configuration (see its docs/README.md for every option used here). */
function configuration({ audience, audiences, privateJwk, revoked, delegated, resourceInfo, resourceServers }) {
  const agentClients = Object.keys(AGENTS).map((clientId) => ({
    client_id: clientId,
    client_secret: DEMO_SECRET,
    grant_types: ['client_credentials', TOKEN_EXCHANGE],
    response_types: [],
    redirect_uris: [],
  }));
  const rsClients = resourceServers.map(({ clientId, secret, jwks }) => ({
    client_id: clientId,
    grant_types: [],
    response_types: [],
    redirect_uris: [],
    introspection_signed_response_alg: 'ES256',
    ...(jwks
      ? { token_endpoint_auth_method: 'private_key_jwt', jwks }
      : { client_secret: secret, token_endpoint_auth_method: 'client_secret_basic' }),
  }));
  return {
    clients: [...agentClients, ...rsClients],
    clientDefaults: { id_token_signed_response_alg: 'ES256', introspection_signed_response_alg: 'ES256' }, // the only key is an EC P-256 key
    jwks: { keys: [privateJwk] },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) =>
          resourceServers.some((rs) => rs.clientId === client.clientId) && !isRevoked(revoked, token.extra ?? {}),
      },
      jwtIntrospection: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => audience,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resource, client) => {
          if (!audiences.has(resource)) throw new Provider.errors.InvalidTarget();
          return resourceInfo(undefined, AGENTS[client.clientId]?.format ?? 'jwt');
        },
      },
    },
    ttl: { ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? 600 },
    // The AAP claims: the exchanged ones for a delegated token, else the agent's registered ones. `sub` is
    // the client for client credentials (oidc-provider sets it in JWTs; an opaque token's introspection
    // answer gets it from here).
    extraTokenClaims: async (ctx, token) => ({
      ...(AGENTS[token.clientId]?.subject === false ? {} : { sub: token.clientId }),
      ...((ctx && delegated.get(ctx)?.claims) ?? aapClaimsOf(token.clientId)),
    }),
    formats: {
      customizers: {
        jwt: async (ctx, token, jwt) => {
          const skew = AGENTS[token.clientId]?.clockSkew;
          if (skew) Object.assign(jwt.payload, { iat: jwt.payload.iat + skew, exp: jwt.payload.exp + skew });
          const exchange = ctx && delegated.get(ctx);
          // RFC 8693: the subject stays the parent's; the tool is the actor (`act`)
          if (exchange) jwt.payload.sub = exchange.subject;
        },
      },
    },
  };
}

/** A token (by its claims, either spelling) whose jti, task, agent or grant was revoked here. */
function isRevoked(revoked, claims) {
  const task = claims.task ?? claims.aap_task;
  const agent = claims.agent ?? claims.aap_agent;
  return (
    revoked.jti.has(claims.jti) ||
    revoked.task.has(task?.id) ||
    revoked.agent.has(agent?.id) ||
    revoked.grant.has(claims.grant_id)
  );
}

/** POST /admin/revocations {jti|task_id|agent_id|grant_id} with `x-admin-key`: revoke here and push a SET. */
async function admin(req, res, adminKey, revoke) {
  const reply = (status, body) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  if (!adminKey || req.headers['x-admin-key'] !== adminKey || req.method !== 'POST')
    return reply(403, { error: 'forbidden' });
  let body = '';
  for await (const chunk of req) body += chunk;
  let revocation;
  try {
    revocation = JSON.parse(body);
  } catch {
    return reply(400, { error: 'invalid_request' });
  }
  const keys = ['jti', 'task_id', 'agent_id', 'grant_id', 'parent_jti'].filter(
    (key) => typeof revocation?.[key] === 'string',
  );
  if (keys.length === 0)
    return reply(400, {
      error: 'invalid_request',
      error_description: 'give jti, task_id, agent_id, grant_id or parent_jti',
    });
  reply(200, { pushed: await revoke(Object.fromEntries(keys.map((key) => [key, revocation[key]]))) });
}
