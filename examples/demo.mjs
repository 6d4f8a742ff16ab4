#!/usr/bin/env node
// The demo: a local authorization server (key pair + JWKS), the Express example API on a free
// loopback port, tokens minted locally, and a table of allowed and denied requests: token checks,
// capabilities and domains, delegation, a rate limit, DPoP with a replay and a downgrade, and a
// request held for a human, approved through the admin API, let through once.
// Run after `npm run setup` (it uses the built packages): `npm run demo`. It prints the approval
// console's URL; `npm run demo -- --serve` keeps the API running with one request waiting for a human,
// so a person can approve it in the browser (Ctrl-C stops it).
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startExample } from './shared/readme-requests.mjs';

const testingDist = new URL('../packages/testing/dist/index.js', import.meta.url);
if (!existsSync(fileURLToPath(testingDist)) || !existsSync(fileURLToPath(new URL('../packages/express/dist/index.js', import.meta.url)))) {
  console.error('demo: the packages are not built yet — run `npm run setup` first.');
  process.exit(1);
}
const { createDpopKey, createIssuer, dpopProof, serveJwks } = await import(testingDist.href);

const AUDIENCE = 'https://api.demo.test';
const jwks = await serveJwks({ keys: [] });
const as = await createIssuer({ issuer: jwks.url, audience: AUDIENCE });
jwks.setKeys(as.jwks);
const ADMIN_KEY = randomBytes(18).toString('base64url');
const SERVE = process.argv.includes('--serve');
const serverPath = fileURLToPath(new URL('./express/server.mjs', import.meta.url));
const api = await startExample(serverPath, { AAP_ISSUER: as.issuer, AAP_AUDIENCE: AUDIENCE, AAP_JWKS_URI: jwks.jwksUri, AAP_ADMIN_KEY: ADMIN_KEY });

/** A human approves the pending hold through the example's admin API. */
async function approve() {
  const holds = await (await fetch(`${api.url}/aap-admin/holds?status=pending`, { headers: { 'x-admin-key': ADMIN_KEY } })).json();
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
  const writer = await as.mint({
    agentId: 'agent-writer-01',
    capabilities: [
      { action: 'search.web', constraints: { domains_allowed: ['wikipedia.org'] } },
      { action: 'cms.create_draft' },
      { action: 'cms.publish' },
    ],
    sections: { oversight: { requires_human_approval_for: ['cms.publish'], approval_reference: 'policy-7' } },
  });
  const searcher = await as.mint({ agentId: 'agent-search-02', capabilities: [{ action: 'search.web' }] });
  const limited = await as.mint({ agentId: 'agent-search-03', capabilities: [{ action: 'search.web', constraints: { max_requests_per_minute: 2 } }] });
  const tooDeep = await as.mint({
    agentId: 'agent-search-04',
    sections: { delegation: { depth: 3, max_depth: 2, chain: ['agent-search-04', 'tool-a', 'tool-b', 'tool-c'] } },
  });
  const dpopKey = await createDpopKey();
  const bound = await as.mint({ agentId: 'agent-search-05', jkt: dpopKey.jkt, capabilities: [{ action: 'search.web' }] });
  const expired = await as.mint({ agentId: 'agent-writer-01', ttl: -3600 });
  const otherApi = await as.mint({ claims: { aud: 'https://other-api.test' } });
  const search = `/v1/search?url=${encodeURIComponent('https://en.wikipedia.org/wiki/OAuth')}`;
  const proof = await dpopProof({ key: dpopKey, method: 'GET', url: api.url + search, accessToken: bound });
  let hold = '';

  /** One request: [case, method, path, token, who, expected status, extra headers (or a function giving them), a step to run first]. */
  const cases = [
    ['search an allowed domain', 'GET', search, writer, 'writer', 200],
    ['search a domain not allowed', 'GET', `/v1/search?url=${encodeURIComponent('https://evil.example')}`, writer, 'writer', 403],
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
    ['approved, retried with another body', 'POST', '/v1/publish', writer, 'writer', 403, () => ({ 'aap-hold-id': hold }), approve, { id: 'd-999' }],
    ['the retry with the approved body goes through', 'POST', '/v1/publish', writer, 'writer', 200, () => ({ 'aap-hold-id': hold })],
    ['the approved retry, replayed', 'POST', '/v1/publish', writer, 'writer', 403, () => ({ 'aap-hold-id': hold })],
  ];

  const rows = [];
  for (const [name, method, path, token, who, expected, extra = {}, step, payload = { title: 'AAP in practice', id: 'd-1' }] of cases) {
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
    rows.push({ name, request: `${method} ${path.split('?')[0]}`, token: who, status: res.status, outcome: body.reason ?? (res.ok ? 'allowed' : ''), expected });
  }
  print(rows);
  console.log(`\nApproval console: ${api.url}/aap-admin/console — sign in with any name and the admin key ${ADMIN_KEY}`);
  if (SERVE) serving = await serveConsole(writer);
} finally {
  if (!serving) {
    await api.stop();
    await jwks.close();
  }
}

/** `--serve`: hold one more publish request for a person to decide in the console, and run until Ctrl-C. */
async function serveConsole(token) {
  const draft = { id: 'd-2', title: 'AAP in practice, part 2', body: 'Agents ask; people decide.' };
  const res = await fetch(`${api.url}/v1/publish`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(draft) });
  const held = await res.json();
  console.log(`An agent is waiting for a human: ${new URL(held.approval_reference, api.url).href}`);
  console.log('Serving until Ctrl-C.');
  const stop = () => Promise.all([api.stop(), jwks.close()]).finally(() => process.exit(process.exitCode ?? 0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return true;
}

function print(rows) {
  const head = { name: 'case', request: 'request', token: 'token', status: 'status', outcome: 'reason' };
  const cols = Object.keys(head);
  const width = Object.fromEntries(cols.map((c) => [c, Math.max(...[head, ...rows].map((r) => String(r[c]).length))]));
  const line = (r) => cols.map((c) => String(r[c]).padEnd(width[c])).join('  ');
  console.log(`\naap-guard demo — Express example at ${api.url}, issuer ${as.issuer}\n`);
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
