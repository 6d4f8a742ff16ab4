/**
 * Regression: a guard created without `options.audit` audited nothing, and said nothing about it — a
 * default install ran unaudited without a line saying so. The draft (§7.9) says the RS MUST log `agent.id`,
 * `task.id`, the action and the decision. Now the guard logs one `audit.off` warning at startup (the default
 * logger prints it on stderr), naming the option and the one-line sink; `audit: false` is the choice made in
 * code (logged at `info`), and a sink silences it.
 */
import { createGuard, type GuardOptions, type Logger } from '@aap-guard/core';
import { describe, expect, it } from 'vitest';

function collecting(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (object: Readonly<Record<string, unknown>>, message?: string) =>
    void lines.push(`${level} ${String(object.event)} ${message ?? ''}`);
  return { lines, logger: { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') } };
}

// delegation.unknownParent stated: its startup note is not the line under test
const base: GuardOptions = {
  issuer: 'https://as.example.com',
  audience: 'https://api.example.com',
  jwks: { keys: [] },
  warmUp: false,
  delegation: { unknownParent: 'allow-audited' },
};

describe('audit is never silently off (§7.9)', () => {
  it('no sink: one warning at startup, naming the option and a one-line sink', async () => {
    const { logger, lines } = collecting();
    const guard = createGuard({ ...base, logger });
    await guard.check({ method: 'GET', url: 'https://api.example.com/x', headers: {} }, { action: 'search.web' });
    expect(lines).toEqual([expect.stringMatching(/^warn audit\.off no audit sink: .*audit: \(event\) => /)]);
    await guard.close();
  });

  it('audit: false is said once at info; a sink says nothing', async () => {
    const off = collecting();
    await createGuard({ ...base, logger: off.logger, audit: false }).close();
    expect(off.lines).toEqual([expect.stringMatching(/^info audit\.off /)]);
    const on = collecting();
    await createGuard({ ...base, logger: on.logger, audit: () => undefined }).close();
    expect(on.lines).toEqual([]);
  });
});
