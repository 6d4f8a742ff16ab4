/**
 * Regression (issue 25, item 3): readiness did not open by itself. With README's
 * `app.get('/ready', aap.health())` and no token traffic, `/ready` stayed 503 forever — a Kubernetes gate
 * never opened — because the keys were fetched only by the first request that needed them. Now the guard
 * fetches every issuer's keys in the background from `createGuard()` on (timers `unref()`ed, retried with
 * the key source's backoff, stopped by `close()`; `warmUp: false` opts out), so `/ready` turns 200 on its
 * own; a JWKS that is down is logged once with its cause — not once per retry — and `/ready` says
 * `keys_unavailable`. Over real HTTP on every adapter; a child process shows the timers let a script exit.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createGuard, type GuardOptions, type Logger } from '@aap-guard/core';
import { createIssuer, serveJwks, type JwksServer, type TestIssuer } from '@aap-guard/testing';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Listening } from '../adapters/kit.js';
import { READY_ADAPTERS, serveReady } from '../helpers/ready-apps.js';
import { until } from '../helpers/until.js';

let as: TestIssuer;
beforeAll(async () => {
  as = await createIssuer();
});
const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((item) => item.close()));
});

async function jwks(failing = false): Promise<JwksServer> {
  const server = await serveJwks(as.jwks);
  if (failing) server.fail('error');
  open.push(server);
  return server;
}

/** A logger that keeps every line as `level event cause`. */
function collecting(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (object: Readonly<Record<string, unknown>>) =>
    void lines.push(`${level} ${String(object.event)} ${String(object.cause ?? '')}`);
  return { lines, logger: { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') } };
}

const options = (server: JwksServer, extra: Partial<GuardOptions> = {}): GuardOptions => ({
  issuer: as.issuer,
  audience: as.audience,
  jwks: { uri: server.jwksUri },
  logger: false,
  audit: () => undefined, // the lines under test are the key source's
  delegation: { unknownParent: 'allow-audited' },
  ...extra,
});
const ready = async (running: Listening) => {
  const res = await fetch(`${running.url}/ready`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe.each(READY_ADAPTERS)('readiness with no token traffic (%s)', (adapter) => {
  it('opens by itself: the keys are fetched in the background, once', async () => {
    const server = await jwks();
    const running = await serveReady(adapter, createGuard(options(server)));
    open.push(running);
    await until(async () => (await ready(running)).status === 200, 5_000);
    expect((await ready(running)).body).toEqual({ status: 'ready' });
    expect(server.fetches).toBe(1);
  });

  it('with the JWKS down: logs once with the cause however often it retries; 503 keys_unavailable', async () => {
    const server = await jwks(true);
    const { logger, lines } = collecting();
    const running = await serveReady(adapter, createGuard(options(server, { logger })));
    open.push(running);
    await until(async () => server.fetches >= 2, 5_000); // the first attempt, then a retry after the 1 s backoff
    expect(lines).toEqual([expect.stringMatching(/^error jwks\.down .*answered HTTP 500/)]);
    expect(await ready(running)).toEqual({ status: 503, body: { status: 'not_ready', reason: 'keys_unavailable' } });
  });
});

describe('the background key fetch', () => {
  it('is stopped by close(): no fetch after it', async () => {
    const server = await jwks(true);
    const guard = createGuard(options(server));
    await until(async () => guard.health().reason === 'keys_unavailable', 5_000);
    await guard.close();
    const fetches = server.fetches;
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // past the 1 s retry it would have made
    expect(server.fetches).toBe(fetches);
  });

  it('is off with warmUp: false (tests, scripts): keys are fetched by the first request that needs them', async () => {
    const server = await jwks();
    const lazy = createGuard(options(server, { warmUp: false }));
    const eager = createGuard(options(server));
    open.push(lazy, eager);
    await until(async () => eager.health().ready, 5_000);
    expect(server.fetches).toBe(1); // the eager guard's
    expect(lazy.health().reason).toBe('keys_pending');
    const misspelt = { ...options(server), warmup: false } as never;
    expect(() => createGuard(misspelt)).toThrow(/unknown option "warmup" — did you mean "warmUp"\?/);
    expect(() => createGuard(options(server, { warmUp: 'yes' as never }))).toThrow(/options\.warmUp must be a boolean/);
  });

  it('lets a script exit without close(): its retry timers do not hold the process', async () => {
    const server = await jwks(true);
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const script = fileURLToPath(new URL('../fixtures/warm-up-exit.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: root,
      env: { ...process.env, JWKS_URI: server.jwksUri },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const limit = new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), 20_000).unref());
    const outcome = await Promise.race([exited, limit]);
    if (outcome === 'running') child.kill('SIGKILL');
    expect([outcome, output.trim()]).toEqual([0, 'FETCH FAILED']);
  }, 30_000);
});
