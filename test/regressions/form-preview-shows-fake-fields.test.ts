/**
 * Regression (issue 23, defect 10): the approval console's preview of a form body could show fields that do
 * not exist. Form values were decoded and shown as raw `name=value` lines, so a `%0A` inside one value
 * rendered as extra lines: `memo=paid%0Ato=vendor-acct-001%0Aamount=10` looked like three fields, while the
 * real `to=attacker-acct` sat past the preview's 4 KB cut — which the page mentioned only as "Only the
 * beginning is shown." The approver saw `to=vendor-acct-001`; the approved retry paid `attacker-acct`.
 * Now control characters in a form preview are escaped (`\n`) as a JSON preview escapes them, so one field
 * is one line (and a form's lines never wrap on the page: a wrapped value could start a line that reads as a
 * field — test/console/console-browser.test.ts measures that in Chromium); and a cut preview says, before the
 * text, how many bytes it hides and names every field past the cut. Over real HTTP, on every adapter: the
 * console page and the admin API.
 */
import { describe, expect, it } from 'vitest';
import { ADAPTERS, useAdminServers } from '../console/serve-admin.js';

const admin = useAdminServers();

const SMUGGLED = 'memo=paid%0Ato=vendor-acct-001%0Aamount=10';
const PAD = 'x'.repeat(4200);
const BODY = `${SMUGGLED}&pad=${PAD}&to=attacker-acct&amount=9000`;
/** The full preview as it must read: one line per field, the newlines inside `memo` escaped. */
const FULL = ['memo=paid\\nto=vendor-acct-001\\namount=10', `pad=${PAD}`, 'to=attacker-acct', 'amount=9000'].join('\n');
const HIDDEN_BYTES = Buffer.byteLength(FULL) - 4096;

/** The text of the page's `<pre class="preview">`, as a browser shows it. */
function previewOf(page: string): string {
  const match = /<pre class="preview[^"]*"[^>]*>([\s\S]*?)<\/pre>/.exec(page);
  if (!match) throw new Error('no preview on the page');
  const entities: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&amp;': '&' };
  return (match[1] as string).replace(/&(lt|gt|quot|#39|amp);/g, (entity) => entities[entity] as string);
}

/** Lines that read as a `to=` or `amount=` field of their own. */
const fakeFields = (text: string): string[] =>
  text.split(/\r\n|[\n\r\u2028\u2029\u0085]/).filter((line) => /^(to|amount)=/.test(line));
const HELD = {
  capabilities: [{ action: 'cms.publish' }],
  sections: { oversight: { requires_human_approval_for: ['cms.publish'] } },
};

describe.each(ADAPTERS)('a held form body whose value carries newlines, padded past the cut (%s)', (adapter) => {
  it('is previewed one field per line, escaped, and the page says what the cut hides, naming the fields', async () => {
    const setup = { authorize: () => true, console: { url: '/aap-admin' } };
    const served = await admin.serve(adapter, { oversight: { preview: {} } }, setup);
    const token = await admin.issuer.mint(HELD);
    const held = await fetch(`${served.url}/v1/publish`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: BODY,
    });
    const { hold_id: id } = (await held.json()) as { hold_id: string };

    const api = await fetch(`${served.url}/aap-admin/holds/${id}`);
    const preview = ((await api.json()) as { hold: { preview: Record<string, unknown> } }).hold.preview;
    expect(fakeFields(preview.text as string)).toEqual([]);
    expect(preview.text).toBe(FULL.slice(0, 4096));
    const hiddenFields = { count: 3, names: ['pad', 'to', 'amount'] };
    expect(preview).toMatchObject({ truncated: true, hiddenBytes: HIDDEN_BYTES, hiddenFields });

    const page = await (await fetch(`${served.url}/aap-admin/console/holds/${id}`)).text();
    const shown = previewOf(page);
    expect(fakeFields(shown)).toEqual([]);
    expect(shown.startsWith('memo=paid\\nto=vendor-acct-001\\namount=10\npad=x')).toBe(true);
    const cut = /<p class="cut"[^>]*>([\s\S]*?)<\/p>/.exec(page)?.[1] ?? '';
    expect(page.indexOf('<p class="cut"')).toBeLessThan(page.indexOf('<pre class="preview form"')); // read first
    expect(cut).toContain(`${HIDDEN_BYTES} more bytes`);
    expect(cut).toContain('3 fields');
    expect(cut).toContain('<code>pad</code> (in part), <code>to</code>, <code>amount</code>');
  });
});
