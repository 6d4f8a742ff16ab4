// Demo mode shared by the three example servers (examples/express, fastify, koa): with no
// AAP_ISSUER set, a local issuer whose signing key exists only in this process signs two demo
// tokens, printed for curl. Nothing else is trusted in this mode, and once AAP_ISSUER is set the
// demo tokens are worthless. Runs the built packages (`npm run setup` builds them).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const TESTING = new URL('../../packages/testing/dist/index.js', import.meta.url);

/** What a demo token of each agent may do (the writer publishes only with a human's approval). */
export const DEMO_AGENTS = {
  WRITER: {
    agentId: 'agent-writer-01',
    capabilities: [
      { action: 'search.web', constraints: { domains_allowed: ['wikipedia.org'] } },
      { action: 'cms.create_draft', constraints: { max_drafts_per_day: 20 } },
      { action: 'cms.publish' },
    ],
    sections: {
      oversight: {
        requires_human_approval_for: ['cms.publish'],
        approval_reference: 'https://approvals.example.com/policy/7',
      },
    },
  },
  SEARCHER: { agentId: 'agent-search-02', capabilities: [{ action: 'search.web' }] },
};

/**
 * Create the local issuer and mint one token per demo agent (valid one hour), plus a random admin key.
 * @returns {Promise<{ options: object, tokens: Record<string, string>, adminKey: string }>}
 */
export async function demoSetup() {
  if (!existsSync(fileURLToPath(TESTING))) throw new Error('the packages are not built yet: run `npm run setup` first');
  const { createIssuer } = await import(TESTING.href);
  const as = await createIssuer({ issuer: 'https://as.demo.invalid', audience: 'https://api.demo.invalid' });
  const tokens = {};
  for (const [name, agent] of Object.entries(DEMO_AGENTS)) tokens[name] = await as.mint({ ...agent, ttl: 3600 });
  return {
    options: { issuer: as.issuer, audience: as.audience, jwks: as.jwks },
    tokens,
    adminKey: randomBytes(18).toString('base64url'),
  };
}

/** Print the demo banner: the tokens as shell assignments, for the curl lines of the README. */
export function printDemo(name, { tokens, adminKey }) {
  console.log(`${name}: DEMO MODE (no AAP_ISSUER set): a local issuer signs the tokens below; never deploy this way.`);
  for (const [variable, token] of Object.entries(tokens)) console.log(`export ${variable}=${token}`);
  console.log(`export ADMIN_KEY=${adminKey}`);
}

/**
 * How the examples let people into `/aap-admin`: scripts send the admin key in an `x-admin-key` header; in a
 * browser, the approval console's sign-in form takes a name and the admin key and sets a session cookie
 * (`consoleSignIn` of @aap-guard/admin, passed in). A real app puts its own authentication into
 * `authorize(req)` and `actor(req)` instead (its SSO session, an admin role).
 * @param {string} adminKey
 * @param {typeof import('@aap-guard/admin').consoleSignIn} consoleSignIn
 */
export function adminAccess(adminKey, consoleSignIn) {
  const signIn = consoleSignIn({
    verify: (user, key) => (isAdminKey(key, adminKey) ? user || 'example-admin' : undefined),
  });
  return {
    signIn,
    /** @param {Record<string, string | string[] | undefined>} headers */
    authorize: (headers) => isAdminKey(headers['x-admin-key'], adminKey) || signIn.who(headers.cookie) !== undefined,
    /** @param {Record<string, string | string[] | undefined>} headers */
    actor: (headers) => signIn.who(headers.cookie) ?? 'example-admin',
  };
}

/**
 * Guard options with a preview of held bodies (`oversight.preview`), so that the console shows the draft an
 * agent wants to publish; a shared `{ guard }` is left as it is.
 * @param {object | undefined} options
 */
export function withBodyPreview(options) {
  if (options?.guard) return options;
  return { ...options, oversight: { preview: { maxBytes: 4096 }, ...options?.oversight } };
}

/**
 * Whether an `x-admin-key` header carries the admin key (constant-time; no key configured → never).
 * @param {unknown} given @param {string | undefined} key
 */
export function isAdminKey(given, key) {
  if (typeof given !== 'string' || !key) return false;
  const digest = (value) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(key));
}
