// The requests README shows for the examples, as code: each example's test runs them against
// that example over real HTTP, so README and the three examples cannot drift apart.

const WIKI = encodeURIComponent('https://en.wikipedia.org/wiki/OAuth');
const EVIL = encodeURIComponent('https://evil.example/');

/**
 * Send README's requests to an example at `base` with the demo tokens; resolve with one row per request.
 * @param {string} base e.g. `http://127.0.0.1:3000`
 * @param {{ WRITER: string, SEARCHER: string }} tokens
 * @param {string} adminKey
 * @returns {Promise<Array<{ name: string, status: number, body: any }>>}
 */
export async function readmeRequests(base, tokens, adminKey) {
  const rows = [];
  const call = async (name, method, path, { token, headers = {}, body } = {}) => {
    const res = await fetch(base + path, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const row = { name, status: res.status, body: await res.json().catch(() => undefined) };
    rows.push(row);
    return row;
  };
  await call('search an allowed domain', 'GET', `/v1/search?url=${WIKI}`, { token: tokens.WRITER });
  await call('search without a token', 'GET', `/v1/search?url=${WIKI}`);
  await call('search a domain outside domains_allowed', 'GET', `/v1/search?url=${EVIL}`, { token: tokens.WRITER });
  await call('create a draft', 'POST', '/v1/drafts', { token: tokens.WRITER, body: { title: 'AAP in practice' } });
  await call('create a draft with a search-only token', 'POST', '/v1/drafts', {
    token: tokens.SEARCHER,
    body: { title: 'x' },
  });
  const held = await call('publish (under human oversight)', 'POST', '/v1/publish', {
    token: tokens.WRITER,
    body: { id: 'd-1' },
  });
  const hold = held.body?.hold_id;
  await call('approve without the admin key', 'POST', `/aap-admin/holds/${hold}/approve`, { body: {} });
  await call('approve the hold', 'POST', `/aap-admin/holds/${hold}/approve`, {
    headers: { 'x-admin-key': adminKey },
    body: { note: 'ok' },
  });
  const retry = { token: tokens.WRITER, headers: { 'aap-hold-id': hold }, body: { id: 'd-1' } };
  await call('publish again with the approved hold', 'POST', '/v1/publish', retry);
  await call('replay the used hold', 'POST', '/v1/publish', retry);
  return rows;
}

/** The status and reason README shows for each request, in order. */
export const README_OUTCOMES = [
  ['search an allowed domain', 200, undefined],
  ['search without a token', 401, 'credentials_missing'],
  ['search a domain outside domains_allowed', 403, 'domain_not_allowed'],
  ['create a draft', 201, undefined],
  ['create a draft with a search-only token', 403, 'capability_missing'],
  ['publish (under human oversight)', 403, 'approval_required'],
  ['approve without the admin key', 403, undefined],
  ['approve the hold', 200, undefined],
  ['publish again with the approved hold', 200, undefined],
  ['replay the used hold', 403, 'hold_used'],
];

/**
 * Start an example's server.mjs exactly as `npm run example:<name>` does, on a free loopback port;
 * resolves once it listens, with the demo tokens and admin key it printed. Without `aapEnv` it runs in
 * demo mode; with it (AAP_ISSUER, AAP_AUDIENCE, …) it trusts that authorization server.
 * @param {string} serverPath absolute path of the example's server.mjs
 * @param {Record<string, string>} [aapEnv] AAP_* settings for the server
 */
export async function startExample(serverPath, aapEnv = {}) {
  const { spawn } = await import('node:child_process');
  const env = { ...process.env, PORT: '0', HOST: '127.0.0.1' };
  for (const name of ['AAP_ISSUER', 'AAP_AUDIENCE', 'AAP_JWKS_URI', 'EXAMPLE_ADMIN_KEY', 'EXAMPLE_EVENTS_KEY'])
    delete env[name];
  Object.assign(env, aapEnv);
  const child = spawn(process.execPath, [serverPath], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let errors = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => (errors += chunk));
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]);
    });
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) => reject(new Error(`${serverPath} exited (${code}) before listening:\n${output}`)));
  });
  const exported = Object.fromEntries([...output.matchAll(/^export (\w+)=(\S+)$/gm)].map((m) => [m[1], m[2]]));
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve(child.exitCode);
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
  /** The guard's log lines so far (JSON lines on stderr), parsed. */
  const logs = () =>
    errors.split('\n').flatMap((line) => {
      try {
        return line.startsWith('{') ? [JSON.parse(line)] : [];
      } catch {
        return [];
      }
    });
  return {
    url,
    tokens: { WRITER: exported.WRITER, SEARCHER: exported.SEARCHER },
    adminKey: exported.ADMIN_KEY,
    logs,
    stop,
  };
}
