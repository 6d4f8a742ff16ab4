/**
 * `npm run demo -- --serve` (examples/demo.mjs, built packages): the table is decided as expected, the
 * approval console's URL is printed, and the API keeps serving with a request waiting for a human whose
 * link opens the console (its sign-in, for a browser without a session) until SIGTERM, then exits 0.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const demo = fileURLToPath(new URL('../../examples/demo.mjs', import.meta.url));
const built = ['core', 'express', 'testing'].every((name) => existsSync(new URL(`../../packages/${name}/dist/index.js`, import.meta.url)));

describe('examples/demo.mjs', () => {
  it.skipIf(!built)('with --serve: prints the console URL and serves a held request’s console page until SIGTERM', async () => {
    const child = spawn(process.execPath, [demo, '--serve'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    try {
      const waiting = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', () => {
          const match = /An agent is waiting for a human: (\S+)/.exec(output);
          if (match) resolve(match[1] as string);
        });
        void exited.then((code) => reject(new Error(`demo exited (${code}):\n${output}`)));
      });
      expect(output).toMatch(/(\d+) of \1 requests decided as expected\./);
      expect(output).toMatch(/Approval console: http:\/\/127\.0\.0\.1:\d+\/aap-admin\/console — sign in with any name and the admin key \S+/);
      const page = await fetch(waiting);
      expect([page.status, page.headers.get('content-type')]).toEqual([401, 'text/html; charset=utf-8']);
      expect(await page.text()).toContain('Sign in');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 60_000);
});
