// RFC 8693 token exchange, registered as a custom grant (oidc-provider's documented way): an agent
// presents its access token as `subject_token` and gets a delegated one for the tool it calls — the
// draft's delegation rules: depth + 1 within max_depth, the chain extended, `parent_jti` naming the
// parent, only capabilities the parent has (`scope` lists the actions to keep), never beyond the
// parent's expiry, DPoP-bound when the request carries a proof.
import { errors } from 'oidc-provider';
import { jwtVerify, createLocalJWKSet } from 'jose';
import { aapClaimsOf, spelled } from './agents.mjs';
import { dpopThumbprint } from './dpop.mjs';

export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const PARAMETERS = [
  'audience',
  'resource',
  'scope',
  'requested_token_type',
  'subject_token',
  'subject_token_type',
  'actor_token',
  'actor_token_type',
];

/** The AAP sections of a token in either spelling, by bare name. */
function sections(payload) {
  const out = {};
  for (const name of ['agent', 'task', 'capabilities', 'oversight', 'delegation', 'context', 'audit'])
    out[name] = payload[name] ?? payload[`aap_${name}`];
  return out;
}

/**
 * Register the grant on `provider`.
 * @param {import('oidc-provider').default} provider
 * @param {{ publicJwks: { keys: object[] }, audience: string, isRevoked: (claims: object) => boolean, resourceInfo:
 * (ttl?: number) => object, delegated: WeakMap<object, { claims: object, subject: string }> }} context
 */
export function registerTokenExchange(provider, context) {
  const keys = createLocalJWKSet(context.publicJwks);
  provider.registerGrantType(
    TOKEN_EXCHANGE,
    async (ctx) => {
      const { params, client } = ctx.oidc;
      if (params.subject_token_type !== ACCESS_TOKEN_TYPE)
        throw new errors.InvalidRequest('subject_token_type must be an access token');
      if (params.requested_token_type && params.requested_token_type !== ACCESS_TOKEN_TYPE)
        throw new errors.InvalidRequest('only access tokens are issued');
      let parent;
      try {
        ({ payload: parent } = await jwtVerify(params.subject_token, keys, { issuer: provider.issuer, typ: 'at+jwt' }));
      } catch {
        throw new errors.InvalidGrant('subject_token is not a valid access token of this authorization server');
      }
      // Draft "Confused Deputy Prevention": the parent must not be expired or revoked.
      if (context.isRevoked(parent)) throw new errors.InvalidGrant('subject_token was revoked');
      const claims = delegatedClaims(parent, client.clientId, params.scope);
      const jkt = await dpopThumbprint(ctx.get('dpop') || undefined, {
        method: 'POST',
        url: ctx.oidc.urlFor('token'),
      }).catch((error) => {
        throw new errors.InvalidDpopProof(error.message);
      });
      const remaining = parent.exp - Math.floor(Date.now() / 1000);
      // draft: 50% of the parent's lifetime
      const ttl = Math.max(1, Math.min(remaining, Math.floor((parent.exp - parent.iat) / 2)));
      const token = new provider.ClientCredentials({ client, scope: parent.scope });
      token.resourceServer = new provider.ResourceServer(context.audience, context.resourceInfo(ttl));
      if (jkt) token.setThumbprint('jkt', jkt);
      context.delegated.set(ctx, { claims, subject: parent.sub }); // read by extraTokenClaims and the JWT customizer
      ctx.oidc.entity('ClientCredentials', token);
      const value = await token.save();
      ctx.body = {
        access_token: value,
        issued_token_type: ACCESS_TOKEN_TYPE,
        token_type: token.tokenType,
        expires_in: token.expiration,
      };
    },
    PARAMETERS,
    ['audience', 'resource'],
  );
}

/** The delegated token's AAP claims, or an `invalid_grant` / `invalid_scope` error. */
function delegatedClaims(parent, actorClientId, scope) {
  const from = sections(parent);
  const actor = aapClaimsOf(actorClientId);
  if (!actor || !from.delegation || !Array.isArray(from.capabilities))
    throw new errors.InvalidGrant('subject_token carries no AAP delegation');
  const depth = from.delegation.depth + 1;
  if (depth > from.delegation.max_depth) throw new errors.InvalidGrant('delegation would exceed max_depth');
  const wanted = scope ? new Set(scope.split(' ')) : undefined;
  const capabilities = from.capabilities.filter((capability) => !wanted || wanted.has(capability.action));
  if (wanted && capabilities.length !== wanted.size)
    throw new errors.InvalidScope('a requested action is not granted to the subject_token (no privilege escalation)');
  if (capabilities.length === 0) throw new errors.InvalidScope('no capability left to delegate');
  const agent = sections(actor).agent;
  return spelled({
    agent,
    task: from.task, // the delegate works on the same task
    capabilities,
    ...(from.oversight ? { oversight: from.oversight } : {}),
    delegation: {
      depth,
      max_depth: from.delegation.max_depth,
      chain: [...(from.delegation.chain ?? []), agent.id],
      parent_jti: parent.jti,
    },
    // RFC 8693 §4.1: the current actor, prior actors nested
    act: { sub: agent.id, ...(parent.act ? { act: parent.act } : {}) },
  });
}
