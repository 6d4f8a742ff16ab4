/**
 * The console's leaf parts: escaping, approval links, the sign-in session, the CSRF check; a hold page's cut preview.
 */
import { describe, expect, it } from 'vitest';
import type { Hold } from '@aap-guard/core';
import { consoleSignIn, consoleUrl } from '../src/index.js';
import { sameOriginForm } from '../src/console/csrf.js';
import { html } from '../src/console/html.js';
import { holdPage } from '../src/console/hold-page.js';

const hold = { id: 'f1Qw9x0Zbq0N2yAAAAAAAAAAAAAAAAAA' } as Hold;

describe('html', () => {
  it('escapes every interpolated value, keeps nested fragments', () => {
    const name = `"><script>alert('x')</script>`;
    expect(html`<td title="${name}">${name}${html`<b>ok</b>`}${[name, undefined, false]}</td>`.value).toBe(
      '<td title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;">&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;<b>ok</b>&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</td>',
    );
  });
});

describe('consoleUrl', () => {
  it('links to the hold’s page under an absolute URL, a path, or a path resolved against publicUrl', () => {
    expect(consoleUrl('https://admin.example.com/aap-admin/')(hold)).toBe(
      `https://admin.example.com/aap-admin/console/holds/${hold.id}`,
    );
    expect(consoleUrl('/aap-admin')(hold)).toBe(`/aap-admin/console/holds/${hold.id}`);
    expect(consoleUrl('/aap-admin', 'https://api.example.com/v1')(hold)).toBe(
      `https://api.example.com/aap-admin/console/holds/${hold.id}`,
    );
  });

  it.each([
    '//evil.example/aap-admin',
    'javascript:alert(1)',
    'aap-admin',
    'https://u:p@x.example/',
    'https://x.example/?q=1',
    '/\\evil.example',
  ])('refuses %j', (base) => {
    expect(() => consoleUrl(base)).toThrow(TypeError);
  });
});

describe('consoleSignIn', () => {
  let now = 1_800_000_000_000;
  const signIn = consoleSignIn({
    verify: (user, key) => (key === 'right' ? user : undefined),
    secret: 's'.repeat(32),
    ttl: 60,
    now: () => now,
  });

  it('issues a signed session that names who signed in until it expires', async () => {
    expect(await signIn.verify('ann', 'wrong')).toBeUndefined();
    const who = await signIn.verify('ann', 'right');
    const { value, maxAge } = signIn.issue(who as string);
    expect(maxAge).toBe(60);
    expect(signIn.who(`x=1; aap_console_session=${value}`)).toBe('ann');
    now += 61_000;
    expect(signIn.who(`aap_console_session=${value}`)).toBeUndefined();
  });

  it('refuses a session whose payload or signature was changed, or signed with another secret', () => {
    now = 1_800_000_000_000;
    const [payload, mac] = signIn.issue('ann').value.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ w: 'root', e: now + 60_000 })).toString('base64url');
    expect(signIn.who(`aap_console_session=${forged}.${mac}`)).toBeUndefined();
    expect(signIn.who(`aap_console_session=${payload}.${mac.slice(0, -2)}AA`)).toBeUndefined();
    const other = consoleSignIn({ verify: () => 'x', secret: 't'.repeat(32), now: () => now });
    expect(other.who(`aap_console_session=${payload}.${mac}`)).toBeUndefined();
    expect(() => consoleSignIn({ verify: () => 'x', secret: 'short' })).toThrow(/at least 32 bytes/);
  });
});

describe('sameOriginForm', () => {
  const token = 'T'.repeat(43);
  const cookie = `aap_console_csrf=${token}`;
  it.each([
    [{ cookie, 'sec-fetch-site': 'same-origin' }, token, true],
    [{ cookie, origin: 'http://127.0.0.1:3000', host: '127.0.0.1:3000' }, token, true],
    [{ cookie }, token, true],
    [{ cookie, 'sec-fetch-site': 'same-site' }, token, false],
    [{ cookie, 'sec-fetch-site': 'cross-site' }, token, false],
    [{ cookie, origin: 'null' }, token, false],
    [{ cookie, origin: 'http://evil.example', host: '127.0.0.1:3000' }, token, false],
    [{ cookie }, 'U'.repeat(43), false],
    [{ cookie }, undefined, false],
    [{}, token, false],
  ])('%j with form token %s → %s', (headers, given, expected) => {
    expect(sameOriginForm(headers, given)).toBe(expected);
  });
});

describe('holdPage: a cut preview', () => {
  const held = (preview: Hold['preview']): Hold =>
    ({
      id: 'h1',
      status: 'pending',
      action: 'pay.send',
      method: 'POST',
      path: '/v1/pay',
      agent: { id: 'a', operator: 'o' },
      task: { id: 't' },
      createdAt: 0,
      expiresAt: 60_000,
      binding: 'b',
      bodyDigest: 'd',
      preview,
    }) as unknown as Hold;
  const ctx = { base: '/aap-admin/console', title: 'Approvals', now: 1, csrf: 'c' };

  it('says so before the text, with what it hides; a hold kept before hiddenBytes existed still says it is cut', () => {
    const cut = { contentType: 'text/plain', bytes: 9, text: 'abc', truncated: true };
    const page = holdPage(ctx, held({ ...cut, hiddenBytes: 6 }), 0);
    const said = 'only the first 3 bytes are shown; 6 more bytes are not.</p><pre';
    expect(page).toContain(`<p class="cut" role="note"><strong>Cut:</strong> ${said}`);
    const older = holdPage(ctx, held(cut), 0);
    expect(older).toContain('<strong>Cut:</strong> only the beginning of the body is shown.');
    const names = Array.from({ length: 50 }, (_, i) => `f${i}`);
    const hiddenFields = { count: 120, distinct: 60, names, partial: false };
    const many = holdPage(ctx, held({ text: 'a=1', truncated: true, hiddenBytes: 900, hiddenFields }), 0);
    expect(many).toMatch(/900 more bytes are not, in 120 fields: <code>f0<\/code>, <code>f1<\/code>.*<code>f49/);
    expect(many).toMatch(/<code>f49<\/code> and 10 more names\.<\/p>/);
  });
});
