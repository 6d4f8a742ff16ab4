/**
 * The approval console in a real headless Chromium, against the Express, Fastify and Koa examples
 * (examples/<name>/app.mjs, signed in with the examples' admin key): an agent's request is held, a person
 * follows its approval_reference, signs in, finds it in the list, approves it with the keyboard, and the
 * agent's retry goes through once; a denial; forged form posts refused; an agent id with markup shown as
 * text; a held form's preview, one unwrapped line per field with the cut named; a page that refreshes when
 * the hold is decided elsewhere; two approvers on two replicas (one Redis) clicking at once — one decision.
 */
import type { GuardOptions } from '@aap-guard/core';
import { redisStore } from '@aap-guard/redis';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import { Redis } from 'ioredis';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: plain JavaScript
import { DEMO_AGENTS } from '../../examples/shared/demo-support.mjs';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { IN_CI, chromiumPath, launchChromium } from './browser.js';
import { EXAMPLES, startExample, type RunningExample } from './examples.js';

const runnable = chromiumPath() !== undefined || IN_CI;
if (!runnable)
  console.warn(
    'console-browser.test.ts: SKIPPED — no Chromium executable (apt-get install -y chromium, or set CHROMIUM_PATH); CI never skips these.',
  );

const ADMIN_KEY = 'k'.repeat(24);
/** A browser test takes seconds on an idle machine, and several times that on a busy one. */
const SLOW = 60_000;
const DRAFT = { id: 'd-1', title: 'Launch post', body: 'We are live.', password: 'hunter2' };

describe.skipIf(!runnable)('approval console in a real browser', { timeout: SLOW }, () => {
  let browser: Browser;
  let issuer: TestIssuer;
  const closers: Array<() => Promise<unknown>> = [];
  beforeAll(async () => {
    [browser, issuer] = await Promise.all([launchChromium(), createIssuer()]);
  });
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });
  afterAll(async () => {
    await browser?.close();
  });

  const trusting = (extra: Partial<GuardOptions> = {}) => ({
    issuer: issuer.issuer,
    audience: issuer.audience,
    jwks: issuer.jwks,
    ...extra,
  });
  /** An example app; its pages poll for changes only where a test asks (a poll could navigate mid-step). */
  async function serve(
    name: (typeof EXAMPLES)[number],
    options = trusting(),
    refreshSeconds = 0,
  ): Promise<RunningExample> {
    const api = await startExample(name, options, ADMIN_KEY, { refreshSeconds });
    closers.push(() => api.close());
    return api;
  }
  /** The agent: a writer whose cms.publish needs a human. */
  async function agent(api: RunningExample, agentId = 'agent-writer-01') {
    const token = await issuer.mint({ ...DEMO_AGENTS.WRITER, agentId });
    const publish = async (hold?: string) => {
      const res = await fetch(`${api.url}/v1/publish`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          ...(hold ? { 'aap-hold-id': hold } : {}),
        },
        body: JSON.stringify(DRAFT),
      });
      return { status: res.status, body: (await res.json()) as Record<string, string> };
    };
    const held = await publish();
    expect(held.body.reason).toBe('approval_required');
    return {
      id: held.body.hold_id as string,
      reference: held.body.approval_reference as string,
      retry: () => publish(held.body.hold_id),
    };
  }
  /** A person with their own browser profile, signed in to the console of `api`. */
  async function person(api: RunningExample, name: string, landing = '/aap-admin/console'): Promise<Page> {
    const context = await browser.newContext();
    closers.push(() => context.close());
    const page = await context.newPage();
    await page.goto(new URL(landing, api.url).href);
    await page.getByLabel('Your name').fill(name);
    await page.getByLabel('Key').fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText(`Signed in as ${name}`).waitFor();
    return page;
  }
  /** The outcome message of the page the last click led to (waits for it: a busy machine answers late). */
  async function notice(page: Page): Promise<string | null> {
    const shown = page.locator('main p.notice:not([hidden])').first();
    await shown.waitFor({ timeout: 30_000 });
    return shown.textContent();
  }

  it.each(EXAMPLES)(
    'examples/%s: approve from the link and the list with the keyboard, the retry goes through once; deny; forged posts refused; markup shown as text',
    async (name) => {
      const api = await serve(name);
      const held = await agent(api);
      expect(held.reference).toBe(`/aap-admin/console/holds/${held.id}`);
      const page = await person(api, 'alice', held.reference); // the link an agent hands over: sign-in, then the hold
      expect(page.url()).toBe(new URL(held.reference, api.url).href);
      expect(await page.locator('pre.preview').textContent()).toContain('"title": "Launch post"');
      expect(await page.locator('pre.preview').textContent()).not.toContain('hunter2');
      await page.goto(`${api.url}/aap-admin/console`);
      const link = page.locator(`a[href$="/holds/${held.id}"]`);
      expect(await page.locator('tr', { has: link }).textContent()).toMatch(/agent-writer-01[\s\S]*POST \/v1\/publish/);
      await link.focus();
      await Promise.all([page.waitForURL(`**/holds/${held.id}`), page.keyboard.press('Enter')]);
      await page.getByLabel(/Reason/).fill('checked the draft');
      await page.getByRole('button', { name: 'Approve' }).focus();
      await page.keyboard.press('Enter');
      expect(await notice(page)).toMatch(/You approved this hold/);
      expect([(await held.retry()).status, (await held.retry()).body.reason]).toEqual([200, 'hold_used']);

      const denied = await agent(api);
      await page.goto(new URL(denied.reference, api.url).href);
      await page.getByRole('button', { name: 'Deny' }).click();
      expect(await notice(page)).toMatch(/You denied this hold/);
      expect((await denied.retry()).body.reason).toBe('hold_denied');

      const hostile = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">';
      const forged = await agent(api, hostile);
      const holdUrl = `${api.url}${forged.reference}`;
      await page.goto(`${api.url}/aap-admin/console`);
      expect(await page.locator('td code', { hasText: '<script>' }).textContent()).toBe(hostile);
      expect(await page.locator('main script, main img').count()).toBe(0);
      expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
      // Same origin, signed in, but no token in the form:
      const status = await page.evaluate(
        (url) =>
          fetch(url, { method: 'POST', body: new URLSearchParams({ verdict: 'approve' }) }).then((res) => res.status),
        holdUrl,
      );
      expect(status).toBe(403);
      // Another site's page posting a form to the console, with a guessed token:
      const attacker = await page.context().newPage();
      await attacker.setContent(
        `<form method="post" action="${holdUrl}"><input name="verdict" value="approve"><input name="csrf" value="${'A'.repeat(43)}"></form>`,
      );
      const [response] = await Promise.all([
        attacker.waitForNavigation(),
        attacker.locator('form').evaluate((form) => (form as unknown as { submit(): void }).submit()),
      ]);
      expect(response?.status()).toBe(403);
      await page.goto(holdUrl);
      expect(await page.locator('.status').first().textContent()).toBe('pending');
    },
  );

  it('a held form with line breaks in a value, padded past the cut: one unwrapped line per field', async () => {
    const api = await serve('koa');
    const token = await issuer.mint({ ...DEMO_AGENTS.WRITER });
    const smuggled = `memo=${'word '.repeat(120)}to=vendor-acct-001%0Aamount=10`;
    const body = `${smuggled}&pad=${'x'.repeat(4200)}&to=attacker-acct&amount=9000`;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' };
    const res = await fetch(`${api.url}/v1/publish`, { method: 'POST', headers, body });
    const held = (await res.json()) as Record<string, string>;
    const page = await person(api, 'alice', held.approval_reference);
    const shown = (await page.locator('pre.preview').innerText()).split('\n');
    expect(shown.filter((line) => /^(to|amount)=/.test(line))).toEqual([]);
    expect(shown.map((line) => line.slice(0, 5))).toEqual(['memo=', 'pad=x']);
    const rendered = await page.locator('pre.preview').evaluate((pre) => {
      type Style = { paddingTop: string; paddingBottom: string; lineHeight: string };
      const style = (globalThis as unknown as { getComputedStyle(element: unknown): Style }).getComputedStyle(pre);
      const height = (pre as unknown as { scrollHeight: number }).scrollHeight;
      const content = height - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
      return Math.round(content / parseFloat(style.lineHeight));
    });
    expect(rendered).toBe(shown.length); // no line wrapped into something that reads as a field of its own
    const cut = page.locator('p.cut');
    expect(await cut.isVisible()).toBe(true);
    expect(await cut.innerText()).toMatch(/more bytes are not, in 3 fields: pad \(in part\), to, amount\.$/);
  });

  it('a list refreshes itself when a hold is decided elsewhere (the JSON API)', async () => {
    const api = await serve('express', trusting(), 1);
    const held = await agent(api);
    const page = await person(api, 'alice');
    await page.locator(`a[href$="/holds/${held.id}"]`).waitFor();
    const approved = await fetch(`${api.url}/aap-admin/holds/${held.id}/approve`, {
      method: 'POST',
      headers: { 'x-admin-key': ADMIN_KEY, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(approved.status).toBe(200);
    await page.locator(`a[href$="/holds/${held.id}"]`).waitFor({ state: 'detached', timeout: 5000 });
  });

  describe('two replicas over one Redis', () => {
    let redisServer: RedisServer;
    let redis: Redis;
    beforeAll(async () => {
      redisServer = await startRedis();
      redis = new Redis({ host: redisServer.host, port: redisServer.port, maxRetriesPerRequest: 1 });
    });
    afterAll(async () => {
      redis?.disconnect();
      await redisServer?.stop();
    });

    it('two approvers clicking Approve at once on different replicas: one decision, the other is told who won', async () => {
      const prefix = `race${Date.now()}:`;
      const [one, two] = await Promise.all(
        (['express', 'koa'] as const).map((name) => serve(name, trusting({ store: redisStore(redis, { prefix }) }))),
      );
      const held = await agent(one!);
      const [alice, bob] = await Promise.all([
        person(one!, 'alice', held.reference),
        person(two!, 'bob', held.reference),
      ]);
      await Promise.all([alice, bob].map((page) => page.getByRole('button', { name: 'Approve' }).click()));
      const said = await Promise.all([alice, bob].map((page) => notice(page)));
      expect(said.filter((text) => /You approved this hold/.test(text ?? ''))).toHaveLength(1);
      expect(
        said.filter((text) => /Not applied: this hold was already approved by (alice|bob)/.test(text ?? '')),
      ).toHaveLength(1);
      expect([(await held.retry()).status, (await held.retry()).body.reason]).toEqual([200, 'hold_used']);
    });
  });
});
