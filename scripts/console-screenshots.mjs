#!/usr/bin/env node
// The README's screenshots of the approval console: the Express example (built packages) with a few held
// requests, photographed by the system's headless Chromium (playwright-core; CHROMIUM_PATH to choose it).
// Writes docs/console-list.png and docs/console-hold.png. Run after `pnpm run build`:
//   node scripts/console-screenshots.mjs
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = new URL('..', import.meta.url);
const testing = new URL('packages/testing/dist/index.js', root);
if (!existsSync(fileURLToPath(testing))) throw new Error('build the packages first: pnpm run build');
const executablePath =
  process.env.CHROMIUM_PATH ??
  ['/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/google-chrome'].find((path) => existsSync(path));
if (!executablePath) throw new Error('no Chromium: apt-get install -y chromium, or set CHROMIUM_PATH');

const { createIssuer } = await import(testing.href);
const { createApp } = await import(new URL('examples/express/app.mjs', root).href);
const { listenNode } = await import(new URL('examples/shared/serve-example.mjs', root).href);

const adminKey = 'screenshot-admin-key-0123';
const as = await createIssuer({ issuer: 'https://as.example.com', audience: 'https://api.example.com' });
const api = await listenNode(
  createApp({ issuer: as.issuer, audience: as.audience, jwks: as.jwks }, { adminKey, console: { refreshSeconds: 0 } }),
  { port: 0, host: '127.0.0.1' },
);
const oversight = { requires_human_approval_for: ['cms.publish'] };
const publishing = [{ action: 'cms.publish' }];

/** An agent asks to publish; returns the hold id. */
async function held(mint, draft, query = '') {
  const token = await as.mint({
    capabilities: publishing,
    ...mint,
    sections: { oversight, ...mint.sections },
    ttl: 3600,
  });
  const res = await fetch(`${api.url}/v1/publish${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(draft),
  });
  return (await res.json()).hold_id;
}
const admin = (id, verdict, note) =>
  fetch(`${api.url}/aap-admin/holds/${id}/${verdict}`, {
    method: 'POST',
    headers: { 'x-admin-key': adminKey, 'content-type': 'application/json' },
    body: JSON.stringify({ note }),
  });

const earlier = await held(
  { agentId: 'agent-social-03', operator: 'org:newsroom', taskId: 'task-weekly-digest', purpose: 'weekly digest' },
  { id: 'd-17', title: 'This week in agents' },
);
await admin(earlier, 'approve', 'ok for Friday');
const rejected = await held(
  { agentId: 'agent-social-03', operator: 'org:newsroom', taskId: 'task-weekly-digest', purpose: 'weekly digest' },
  { id: 'd-18', title: 'Leaked roadmap' },
);
await admin(rejected, 'deny', 'not public yet');
await held(
  {
    agentId: 'agent-editor-07',
    operator: 'org:newsroom',
    taskId: 'task-launch-42',
    purpose: 'launch announcement',
    sections: { delegation: { depth: 1, max_depth: 2, chain: ['agent-planner-01', 'agent-editor-07'] } },
  },
  { id: 'd-41', title: 'Release notes 2.0' },
  '?channel=blog',
);
const main = await held(
  { agentId: 'agent-writer-01', operator: 'org:newsroom', taskId: 'task-launch-42', purpose: 'launch announcement' },
  {
    id: 'd-42',
    title: 'Introducing AAP guard 1.0',
    body: 'Today we ship resource-server enforcement of the Agent Authorization Profile…',
    tags: ['release', 'security'],
    api_key: 'sk-live-123',
  },
  '?draft=d-42&notify=subscribers',
);

const browser = await chromium.launch({ executablePath });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 }, deviceScaleFactor: 1 });
  await page.goto(`${api.url}/aap-admin/console`);
  await page.getByLabel('Your name').fill('alice@example.com');
  await page.getByLabel('Key').fill(adminKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Signed in as').waitFor();
  await page.goto(`${api.url}/aap-admin/console?status=all`);
  await page.screenshot({ path: fileURLToPath(new URL('docs/console-list.png', root)) });
  await page.goto(`${api.url}/aap-admin/console/holds/${main}`);
  await page.getByLabel(/Reason/).fill('Checked the draft with the launch team.');
  await page.screenshot({ path: fileURLToPath(new URL('docs/console-hold.png', root)), fullPage: true });
  console.log('wrote docs/console-list.png and docs/console-hold.png');
} finally {
  await browser.close();
  await api.close();
}
