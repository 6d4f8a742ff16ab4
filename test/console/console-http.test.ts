/**
 * The approval console over real HTTP on Express, Fastify and Koa: authorization, headers (no-store,
 * CSP, no framing), escaping, CSRF, one decision, approval links, sign-in. (A real browser drives it in
 * console-browser.test.ts.)
 */
import { consoleSignIn } from '@aap-guard/admin';
import type { GuardOptions } from '@aap-guard/core';
import { describe, expect, it } from 'vitest';
import { ADAPTERS, useAdminServers, type AdminSetup, type Served } from './serve-admin.js';

const servers = useAdminServers();

const ADMIN = { 'x-admin': 'yes' };
const byHeader: AdminSetup = {
  authorize: (req) => req.headers['x-admin'] === 'yes',
  actor: (req) => String(req.headers['x-user'] ?? 'alice'),
  console: { url: '/aap-admin' },
};

describe.each(ADAPTERS)('approval console (%s)', (adapter) => {
  const serve = (admin: AdminSetup = byHeader, extra: Partial<GuardOptions> = {}): Promise<Served> =>
    servers.serve(adapter, extra, admin);
  async function hold(
    served: Served,
    agentId = 'agent-writer-01',
  ): Promise<{ id: string; body: Record<string, unknown> }> {
    const token = await servers.issuer.mint({
      agentId,
      capabilities: [{ action: 'cms.publish' }],
      sections: { oversight: { requires_human_approval_for: ['cms.publish'], approval_reference: 'policy-7' } },
    });
    const res = await fetch(`${served.url}/v1/publish?draft=1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{"id":"d-1"}',
    });
    const body = (await res.json()) as Record<string, unknown>;
    return { id: body.hold_id as string, body };
  }
  /** A console page as a browser gets it first: its HTML, CSRF token and the cookie to send back. */
  async function page(served: Served, path: string, headers: Record<string, string> = ADMIN) {
    const res = await fetch(`${served.url}/aap-admin/console${path}`, { headers });
    const text = await res.text();
    const cookie = (res.headers.getSetCookie()[0] ?? '').split(';')[0] as string;
    return { res, text, cookie, csrf: /name="csrf" value="([^"]+)"/.exec(text)?.[1] ?? '' };
  }
  const post = (served: Served, path: string, form: Record<string, string>, headers: Record<string, string>) =>
    fetch(`${served.url}/aap-admin/console${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });

  it('serves pages only through authorize, never cached, unframeable, with no inline script or style', async () => {
    const served = await serve();
    const { id } = await hold(served);
    expect((await fetch(`${served.url}/aap-admin/console`)).status).toBe(403);
    for (const path of ['', `/holds/${id}`]) {
      const { res, text } = await page(served, path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('content-security-policy')).toMatch(
        /default-src 'none'.*script-src 'self'.*frame-ancestors 'none'/,
      );
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.getSetCookie()[0]).toMatch(
        /^aap_console_csrf=[\w-]{43}; Path=\/aap-admin\/console; HttpOnly; SameSite=Strict$/,
      );
      expect(text).not.toMatch(/<script(?![^>]*\ssrc=)|<style|\sstyle=|\son\w+=/i);
      expect(text).toContain(id);
    }
    const script = await fetch(`${served.url}/aap-admin/console/assets/console.js`);
    expect([script.status, script.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8']);
  });

  it('a new hold’s approval_reference is its page in the console, not the token’s reference', async () => {
    const served = await serve();
    const { id, body } = await hold(served);
    expect(body.approval_reference).toBe(`/aap-admin/console/holds/${id}`);
    const absolute = await serve(byHeader, { publicUrl: 'https://api.example.com' });
    const second = await hold(absolute);
    expect(second.body.approval_reference).toBe(`https://api.example.com/aap-admin/console/holds/${second.id}`);
  });

  it('renders agent ids, operators and paths from tokens and requests as text', async () => {
    const served = await serve();
    const { id } = await hold(served, '<script>alert("agent")</script>');
    for (const path of ['?status=pending', `/holds/${id}`]) {
      const { text } = await page(served, path);
      expect(text).not.toContain('<script>alert');
      expect(text).toContain('&lt;script&gt;alert(&quot;agent&quot;)&lt;/script&gt;');
    }
  });

  it('shows whose agent a hold is (its issuer: agent ids are unique per issuer) and filters by issuer', async () => {
    const served = await serve();
    const { id } = await hold(served);
    const issuer = servers.issuer.issuer;
    for (const path of ['?status=pending', `/holds/${id}`]) expect((await page(served, path)).text).toContain(issuer);
    expect((await page(served, `?status=pending&issuer=${encodeURIComponent(issuer)}`)).text).toContain(id);
    expect((await page(served, '?status=pending&issuer=https%3A%2F%2Fother.example')).text).not.toContain(id);
  });

  it('refuses a form post without the page’s CSRF token, or from another site, and changes nothing', async () => {
    const served = await serve();
    const { id } = await hold(served);
    const { cookie, csrf } = await page(served, `/holds/${id}`);
    expect(csrf).toMatch(/^[\w-]{43}$/);
    const attempts = [
      [{ verdict: 'approve' }, { cookie }],
      [{ verdict: 'approve', csrf }, {}],
      [{ verdict: 'approve', csrf: 'x'.repeat(43) }, { cookie }],
      [
        { verdict: 'approve', csrf },
        { cookie, 'sec-fetch-site': 'same-site' },
      ],
      [
        { verdict: 'approve', csrf },
        { cookie, origin: 'http://evil.example' },
      ],
    ] as const;
    for (const [form, headers] of attempts) {
      const res = await post(served, `/holds/${id}`, form, { ...ADMIN, ...headers });
      expect(res.status).toBe(403);
    }
    expect((await served.guard.holds.get(id))?.status).toBe('pending');
    const approved = await post(
      served,
      `/holds/${id}`,
      { verdict: 'approve', csrf, note: 'fine <b>by</b> me' },
      { ...ADMIN, cookie, 'sec-fetch-site': 'same-origin' },
    );
    expect(approved.status).toBe(200);
    expect(await approved.text()).toContain('fine &lt;b&gt;by&lt;/b&gt; me');
    expect(await served.guard.holds.get(id)).toMatchObject({
      status: 'approved',
      approvedBy: 'alice',
      note: 'fine <b>by</b> me',
    });
  });

  it('applies the first decision only: the second approver gets 409 naming who decided', async () => {
    const served = await serve();
    const { id } = await hold(served);
    const { cookie, csrf } = await page(served, `/holds/${id}`);
    const decide = (verdict: string, user: string) =>
      post(served, `/holds/${id}`, { verdict, csrf }, { ...ADMIN, cookie, 'x-user': user });
    const before = await (await fetch(`${served.url}/aap-admin/console/holds/${id}/state`, { headers: ADMIN })).json();
    const [first, second] = await Promise.all([decide('approve', 'alice'), decide('deny', 'bob')]);
    expect([first.status, second.status].sort()).toEqual([200, 409]);
    const loser = first.status === 409 ? first : second;
    expect(await loser.text()).toMatch(/Not applied: this hold was already (approved by alice|denied by bob)/);
    const after = await (await fetch(`${served.url}/aap-admin/console/holds/${id}/state`, { headers: ADMIN })).json();
    expect(after).not.toEqual(before);
  });

  it('with consoleSignIn: a sign-in form (CSRF-protected) exchanges the key for an HttpOnly, SameSite=Strict session on the console’s path', async () => {
    const signIn = consoleSignIn({ verify: (user, key) => (key === 'k'.repeat(24) ? user || 'someone' : undefined) });
    const served = await serve({
      authorize: (req) => signIn.who(req.headers.cookie as string) !== undefined,
      actor: (req) => signIn.who(req.headers.cookie as string),
      console: { signIn },
    });
    const { id } = await hold(served);
    const first = await page(served, `/holds/${id}`, {});
    expect(first.res.status).toBe(401);
    expect(first.text).toContain('Sign in');
    const form = { user: 'carol', key: 'k'.repeat(24), next: `/holds/${id}`, csrf: first.csrf };
    expect((await post(served, '/sign-in', form, {})).status).toBe(403);
    expect((await post(served, '/sign-in', { ...form, key: 'wrong' }, { cookie: first.cookie })).status).toBe(401);
    const signedIn = await post(served, '/sign-in', form, { cookie: first.cookie });
    expect([signedIn.status, signedIn.headers.get('location')]).toEqual([303, `/aap-admin/console/holds/${id}`]);
    const session = signedIn.headers.getSetCookie().find((line) => line.startsWith('aap_console_session='));
    expect(session).toMatch(/; Path=\/aap-admin\/console; HttpOnly; SameSite=Strict; Max-Age=28800$/);
    const cookie = `${first.cookie}; ${session?.split(';')[0]}`;
    const view = await page(served, `/holds/${id}`, { cookie });
    expect(view.text).toContain('Signed in as <strong>carol</strong>');
    const elsewhere = await post(served, '/sign-in', { ...form, next: '//evil.example/' }, { cookie: first.cookie });
    expect(elsewhere.headers.get('location')).toBe('/aap-admin/console');
  });
});
