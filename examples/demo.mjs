#!/usr/bin/env node
// The demo: a real authorization server (examples/authorization-server, oidc-provider), the Express
// example API trusting it (keys discovered from its metadata), and agents that obtain their tokens the way
// real agents do — client credentials at the token endpoint, with a DPoP proof for a bound token, and a
// token exchange (RFC 8693) for a tool acting for the writer. Then a table of allowed and denied requests:
// token checks, capabilities and domains, delegation, a rate limit, DPoP with a replay and a downgrade, a
// request held for a human, approved through the admin API, let through once — and a task revoked at the
// authorization server, pushed to the API as a Security Event Token and refused from then on.
// Run after `npm run setup` (it uses the built packages): `npm run demo`. It prints the approval
// console's URL; `npm run demo -- --serve` keeps the API running with one request waiting for a human,
// so a person can approve it in the browser (Ctrl-C stops it).
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startExample } from './shared/readme-requests.mjs';

const built = (path) => existsSync(fileURLToPath(new URL(path, import.meta.url)));
const testingDist = new URL('../packages/testing/dist/index.js', import.meta.url);
if (
  !built('../packages/testing/dist/index.js') ||
  !built('../packages/express/dist/index.js') ||
  !built('./authorization-server/node_modules/oidc-provider')
) {
  console.error('demo: the packages are not built (or installed) yet — run `npm run setup` first.');
  process.exit(1);
}
const { createDpopKey, createIssuer, dpopProof } = await import(testingDist.href);
const { createAuthorizationServer } = await import('./authorization-server/as.mjs');
const { DEMO_SECRET } = await import('./authorization-server/agents.mjs');

const AUDIENCE = 'https://api.demo.test';
const ADMIN_KEY = randomBytes(18).toString('base64url');
const EVENTS_KEY = randomBytes(18).toString('base64url');
const SERVE = process.argv.includes('--serve');
const SEARCH = `/v1/search?url=${encodeURIComponent('https://en.wikipedia.org/wiki/OAuth')}`;
const serverPath = fileURLToPath(new URL('./express/server.mjs', import.meta.url));
const asOptions = { audience: AUDIENCE, otherAudiences: ['https://other-api.test'], adminKey: ADMIN_KEY };

// The API comes up before its authorization server is reachable: a request it cannot verify is a 503,
// and the cause reaches the API's log once (not once per request). Then the authorization server starts.
const reserved = await createAuthorizationServer(asOptions); // only to learn a free port for the issuer URL
const issuer = reserved.issuer;
await reserved.close();
const api = await startExample(serverPath, {
  AAP_ISSUER: issuer,
  AAP_AUDIENCE: AUDIENCE,
  EXAMPLE_ADMIN_KEY: ADMIN_KEY,
  EXAMPLE_EVENTS_KEY: EVENTS_KEY,
});
const early = await fetch(api.url + SEARCH, {
  headers: { authorization: `Bearer ${await (await createIssuer({ issuer, audience: AUDIENCE })).mint()}` },
});
const earlyRow = {
  name: 'before the AS is up: its keys cannot be discovered',
  request: 'GET /v1/search',
  token: 'valid',
  status: early.status,
  outcome: (await early.json()).reason,
  expected: 503,
};
const as = await createAuthorizationServer({ ...asOptions, port: Number(new URL(issuer).port) });
as.addReceiver({ url: `${api.url}/aap-events`, token: EVENTS_KEY });
await new Promise((resolve) => setTimeout(resolve, 1100)); // a failed discovery backs off for 1 s before it tries again

/** A token request at the authorization server, as an agent makes it. */
async function obtain(clientId, form = { grant_type: 'client_credentials' }, dpopKey) {
  const headers = {
    authorization: `Basic ${Buffer.from(`${clientId}:${DEMO_SECRET}`).toString('base64')}`,
    'content-type': 'application/x-www-form-urlencoded',
  };
  if (dpopKey) headers.dpop = await dpopProof({ key: dpopKey, method: 'POST', url: as.tokenEndpoint });
  const res = await fetch(as.tokenEndpoint, { method: 'POST', headers, body: new URLSearchParams(form) });
  const body = await res.json();
  if (!res.ok) throw new Error(`demo: the token request of ${clientId} failed: ${res.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

/** An operator revokes the writer's task at the authorization server, which pushes it to the API. */
async function revokeTask() {
  const res = await fetch(`${as.issuer}/admin/revocations`, {
    method: 'POST',
    headers: { 'x-admin-key': ADMIN_KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ task_id: 'task-writer-001' }),
  });
  const { pushed } = await res.json();
  if (pushed?.[0]?.status !== 202)
    throw new Error(`demo: the revocation event was not accepted: ${JSON.stringify(pushed)}`);
}

/** A human approves the pending hold through the example's admin API. */
async function approve() {
  const holds = await (
    await fetch(`${api.url}/aap-admin/holds?status=pending`, { headers: { 'x-admin-key': ADMIN_KEY } })
  ).json();
  const id = holds.holds?.[0]?.id;
  const res = await fetch(`${api.url}/aap-admin/holds/${id}/approve`, {
    method: 'POST',
    headers: { 'x-admin-key': ADMIN_KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ note: 'looks good' }),
  });
  if (!res.ok) throw new Error(`demo: approving hold ${id} failed with ${res.status}`);
}

let serving = false;
try {
  // Each agent is an OAuth client of the authorization server, registered with its AAP claims
  // (examples/authorization-server/agents.mjs): search, drafts and publishing (under human oversight) for
  // the writer, search alone for the searchers, a rate limit for one, a faulty delegation for another.
  const writer = await obtain('agent-writer-01');
  const searcher = await obtain('agent-search-02'); // its claims come in the aap_-prefixed spelling
  const limited = await obtain('agent-search-03');
  const tooDeep = await obtain('agent-search-04'); // the AS got delegation wrong: depth 3 > max_depth 2
  const dpopKey = await createDpopKey();
  const bound = await obtain('agent-search-05', undefined, dpopKey); // a proof at the token endpoint: cnf.jkt
  const expired = await obtain('agent-stale-clock'); // issued by a clock two hours slow: past its exp
  const otherApi = await obtain('agent-search-02', {
    grant_type: 'client_credentials',
    resource: 'https://other-api.test',
  });
  const tool = await obtain('tool-summarizer', {
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    subject_token: writer,
    subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    scope: 'search.web', // only the writer's search capability goes to the tool
  });
  const search = SEARCH;
  const proof = await dpopProof({ key: dpopKey, method: 'GET', url: api.url + search, accessToken: bound });
  let hold = '';

  /**
   * One request: [case, method, path, token, who, expected status, extra headers (or a function giving them), a step to
   * run first].
   */
  const cases = [
    ['search an allowed domain', 'GET', search, writer, 'writer', 200],
    [
      'search a domain not allowed',
      'GET',
      `/v1/search?url=${encodeURIComponent('https://evil.example')}`,
      writer,
      'writer',
      403,
    ],
    ['no token', 'GET', search, undefined, '—', 401],
    ['garbage token', 'GET', search, 'not-a.jwt.token', 'garbage', 401],
    ['expired token', 'GET', search, expired, 'expired', 401],
    ['token for another API', 'GET', search, otherApi, 'other aud', 401],
    ['create a draft', 'POST', '/v1/drafts', writer, 'writer', 201],
    ['wrong action: draft with a search-only token', 'POST', '/v1/drafts', searcher, 'searcher', 403],
    ['delegated deeper than max_depth', 'GET', search, tooDeep, 'depth 3', 403],
    ['public /health: no token needed', 'GET', '/health', undefined, '—', 200],
    ['a route nobody declared: refused', 'GET', '/v1/stats', writer, 'writer', 403],
    ['rate limit 2/min: first', 'GET', search, limited, 'limited', 200],
    ['rate limit 2/min: second', 'GET', search, limited, 'limited', 200],
    ['rate limit 2/min: third (Retry-After)', 'GET', search, limited, 'limited', 429],
    ['DPoP-bound token with its proof', 'GET', search, bound, 'DPoP', 200, { dpop: proof }],
    ['the same proof replayed', 'GET', search, bound, 'DPoP', 401, { dpop: proof }],
    ['DPoP-bound token sent as Bearer', 'GET', search, bound, 'stolen', 401],
    ['publish (under human oversight)', 'POST', '/v1/publish', writer, 'writer', 403],
    ['retry before a human approved', 'POST', '/v1/publish', writer, 'writer', 403, () => ({ 'aap-hold-id': hold })],
    [
      'approved, retried with another body',
      'POST',
      '/v1/publish',
      writer,
      'writer',
      403,
      () => ({ 'aap-hold-id': hold }),
      approve,
      { id: 'd-999' },
    ],
    [
      'the retry with the approved body goes through',
      'POST',
      '/v1/publish',
      writer,
      'writer',
      200,
      () => ({ 'aap-hold-id': hold }),
    ],
    ['the approved retry, replayed', 'POST', '/v1/publish', writer, 'writer', 403, () => ({ 'aap-hold-id': hold })],
    ['a tool with a token exchanged for the writer', 'GET', search, tool, 'delegated', 200],
    ['…which got search only, not drafts', 'POST', '/v1/drafts', tool, 'delegated', 403],
    ['task revoked at the AS: the tool is refused', 'GET', search, tool, 'delegated', 401, {}, revokeTask],
    ['task revoked at the AS: so is the writer', 'GET', search, writer, 'writer', 401],
  ];

  const rows = [earlyRow];
  for (const [
    name,
    method,
    path,
    token,
    who,
    expected,
    extra = {},
    step,
    payload = { title: 'AAP in practice', id: 'd-1' },
  ] of cases) {
    await step?.();
    const scheme = extra.dpop ? 'DPoP' : 'Bearer'; // a proof goes with the DPoP scheme (RFC 9449 §7.1)
    const res = await fetch(api.url + path, {
      method,
      headers: {
        ...(token ? { authorization: `${scheme} ${token}` } : {}),
        ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
        ...(typeof extra === 'function' ? extra() : extra),
      },
      body: method === 'POST' ? JSON.stringify(payload) : undefined,
    });
    const body = await res.json().catch(() => ({}));
    hold = body.hold_id ?? hold;
    rows.push({
      name,
      request: `${method} ${path.split('?')[0]}`,
      token: who,
      status: res.status,
      outcome: body.reason ?? (res.ok ? 'allowed' : ''),
      expected,
    });
  }
  print(rows);
  await showOperations();
  console.log(
    `\nApproval console: ${api.url}/aap-admin/console — sign in with any name and the admin key ${ADMIN_KEY}`,
  );
  if (SERVE) serving = await serveConsole();
} finally {
  if (!serving) {
    await api.stop();
    await as.close();
  }
}

/** `--serve`: an editor's publish request waits for a person to decide in the console; runs until Ctrl-C. */
async function serveConsole() {
  const token = await obtain('agent-editor-07');
  const draft = { id: 'd-2', title: 'AAP in practice, part 2', body: 'Agents ask; people decide.' };
  const res = await fetch(`${api.url}/v1/publish`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(draft),
  });
  const held = await res.json();
  console.log(`An agent is waiting for a human: ${new URL(held.approval_reference, api.url).href}`);
  console.log('Serving until Ctrl-C.');
  const stop = () => Promise.all([api.stop(), as.close()]).finally(() => process.exit(process.exitCode ?? 0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return true;
}

/** What the API tells operators and clients: its RFC 9728 metadata, and its infrastructure log. */
async function showOperations() {
  const metadata = await (await fetch(`${api.url}/.well-known/oauth-protected-resource`)).json();
  console.log(
    `\nThe API's protected resource metadata (RFC 9728), public at ${api.url}/.well-known/oauth-protected-resource:\n`,
  );
  console.log(JSON.stringify(metadata, null, 2).replace(/^/gm, '   '));
  const lines = api.logs().filter((line) => line.component === 'discovery' || line.component === 'jwks');
  console.log(
    `\nIts infrastructure log (JSON lines on stderr, once per state change, with the cause — never a token):\n`,
  );
  for (const line of lines) console.log(`   ${JSON.stringify(line)}`);
  if (lines.length !== 1) {
    console.log(`   (expected exactly one line about the unreachable authorization server, got ${lines.length})`);
    process.exitCode = 1;
  }
}

function print(rows) {
  const head = { name: 'case', request: 'request', token: 'token', status: 'status', outcome: 'reason' };
  const cols = Object.keys(head);
  const width = Object.fromEntries(cols.map((c) => [c, Math.max(...[head, ...rows].map((r) => String(r[c]).length))]));
  const line = (r) => cols.map((c) => String(r[c]).padEnd(width[c])).join('  ');
  console.log(
    `\naap-guard demo — Express example at ${api.url}, authorization server (oidc-provider) at ${as.issuer}\n`,
  );
  console.log(`   ${line(head)}`);
  console.log(`   ${cols.map((c) => '-'.repeat(width[c])).join('  ')}`);
  let asExpected = 0;
  for (const row of rows) {
    const ok = row.status === row.expected;
    if (ok) asExpected += 1;
    const mark = row.status < 300 ? 'ALLOW' : 'DENY ';
    console.log(`${ok ? ' ' : '!'}  ${line(row)}  ${mark}${ok ? '' : `  (expected ${row.expected})`}`);
  }
  console.log(`\n${asExpected} of ${rows.length} requests decided as expected.`);
  if (asExpected !== rows.length) process.exitCode = 1;
}
