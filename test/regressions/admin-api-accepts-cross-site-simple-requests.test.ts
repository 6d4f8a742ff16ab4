/**
 * Defect: the JSON admin API approved a hold on a "simple" cross-site request — a form post or a
 * `text/plain` body, which any web page can make a browser send without a CORS preflight — whenever the
 * app's `authorize(req)` accepts something the browser attaches by itself (a session cookie). Express
 * ignored the form body and approved without a note, Fastify and Koa parsed `text/plain` JSON. A
 * state-changing admin request must be JSON (or no body) and, from a browser, same-origin.
 */
import { describe, expect, it } from 'vitest';
import { ADAPTERS, useAdminServers, type Served } from '../console/serve-admin.js';

const admin = useAdminServers();

describe.each(ADAPTERS)('JSON admin API (%s)', (adapter) => {
  const cookieSession = {
    authorize: (req: { headers: Record<string, unknown> }) => req.headers.cookie === 'session=admin',
  };

  async function pendingHold(): Promise<{ served: Served; id: string }> {
    const served = await admin.serve(adapter, {}, cookieSession);
    const token = await admin.issuer.mint({
      capabilities: [{ action: 'cms.publish' }],
      sections: { oversight: { requires_human_approval_for: ['cms.publish'] } },
    });
    const held = await fetch(`${served.url}/v1/publish`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    const id = ((await held.json()) as { hold_id: string }).hold_id;
    expect(id).toMatch(/^[A-Za-z0-9_-]{32}$/);
    return { served, id };
  }

  it.each([
    ['a form post', { 'content-type': 'application/x-www-form-urlencoded' }, 'note=ok'],
    ['a text/plain body', { 'content-type': 'text/plain' }, '{"note":"ok"}'],
    [
      'a JSON post marked cross-site by the browser',
      { 'content-type': 'application/json', 'sec-fetch-site': 'same-site' },
      '{"note":"ok"}',
    ],
  ])(
    'a cross-site simple request cannot approve, even when authorize accepts the browser cookie: %s',
    async (_name, headers, body) => {
      const { served, id } = await pendingHold();
      const res = await fetch(`${served.url}/aap-admin/holds/${id}/approve`, {
        method: 'POST',
        headers: { cookie: 'session=admin', ...headers },
        body,
      });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect((await served.guard.holds.get(id))?.status).toBe('pending');
    },
  );

  it('a same-origin JSON request (or one without a body) still approves', async () => {
    const { served, id } = await pendingHold();
    const res = await fetch(`${served.url}/aap-admin/holds/${id}/approve`, {
      method: 'POST',
      headers: { cookie: 'session=admin', 'sec-fetch-site': 'same-origin' },
    });
    expect(res.status).toBe(200);
    expect((await served.guard.holds.get(id))?.status).toBe('approved');
  });
});
