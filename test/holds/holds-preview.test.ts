/**
 * `oversight.preview` over real HTTP on every adapter: the hold keeps a bounded, redacted view of the
 * body read for its digest (one read), never the token; off by default; validated at startup.
 */
import { bodyDigest, createGuard, type GuardOptions } from '@aap-guard/core';
import { describe, expect, it } from 'vitest';
import { ADAPTERS, useAdminServers } from '../console/serve-admin.js';

const admin = useAdminServers();

describe.each(ADAPTERS)('hold body preview (%s)', (adapter) => {
  async function publish(oversight: GuardOptions['oversight'], body: string, type = 'application/json') {
    const served = await admin.serve(adapter, { oversight }, { authorize: () => true });
    const token = await admin.issuer.mint({
      capabilities: [{ action: 'cms.publish' }],
      sections: { oversight: { requires_human_approval_for: ['cms.publish'] } },
    });
    const send = (hold?: string) =>
      fetch(`${served.url}/v1/publish`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': type, ...(hold ? { 'aap-hold-id': hold } : {}) },
        body: body.replace('TOKEN', token),
      });
    const held = (await (await send()).json()) as { hold_id: string };
    const hold = await served.guard.holds.get(held.hold_id);
    return { served, hold, token, retry: () => send(held.hold_id) };
  }

  it('keeps a redacted, bounded preview next to the digest, without the token; the approved retry still matches', async () => {
    const draft = JSON.stringify({
      title: 'Quarterly results',
      body: 'x'.repeat(400),
      password: 'hunter2',
      forwarded: 'TOKEN',
    });
    const { served, hold, token, retry } = await publish({ preview: { maxBytes: 120 } }, draft);
    expect(hold?.bodyDigest).toBe(bodyDigest(draft.replace('TOKEN', token)));
    expect(hold?.preview).toMatchObject({
      contentType: 'application/json',
      bytes: Buffer.byteLength(draft.replace('TOKEN', token)),
      truncated: true,
    });
    expect(hold?.preview?.text).toContain('"title": "Quarterly results"');
    expect(Buffer.byteLength(hold?.preview?.text ?? '')).toBeLessThanOrEqual(120);
    const full = await publish({ preview: {} }, draft);
    expect(full.hold?.preview?.text).toContain('"password": "[redacted]"');
    expect(full.hold?.preview?.text).toContain('"forwarded": "[access token]"');
    expect(JSON.stringify(full.hold)).not.toContain('hunter2');
    expect(JSON.stringify(full.hold)).not.toContain(full.token);
    await served.guard.holds.approve(hold!.id, { by: 'alice' });
    expect((await retry()).status).toBe(200);
  });

  it('is off by default: the hold keeps the digest only', async () => {
    const { hold } = await publish(undefined, '{"title":"x"}');
    expect(hold?.bodyDigest).toBe(bodyDigest('{"title":"x"}'));
    expect(hold?.preview).toBeUndefined();
  });
});

describe('oversight.preview options', () => {
  const base = () => ({ issuer: 'https://as.example', audience: 'https://api.example', jwks: { keys: [] } });
  it.each([
    [{ maxBytes: 0 }, /options\.oversight\.preview\.maxBytes must be an integer between 1 and 65536/],
    [{ redakt: ['iban'] }, /unknown option "redakt" — did you mean "redact"\?/],
    [{ redact: [''] }, /options\.oversight\.preview\.redact must be field names/],
    ['yes', /options\.oversight\.preview must be an object/],
  ])('refuses %j with a TypeError naming the option', (preview, message) => {
    expect(() => createGuard({ ...base(), oversight: { preview: preview as never } })).toThrow(message);
    expect(() => createGuard({ ...base(), oversight: { preview: preview as never } })).toThrow(TypeError);
  });
});
