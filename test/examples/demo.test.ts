/**
 * `npm run demo` end to end (examples/demo.mjs, built packages): the example authorization server issues
 * every token, the Express example decides, and the demo exits 0 only when every row is decided as its
 * table expects. With `--serve` it prints the approval console's URL and keeps serving, with a request
 * waiting for a human whose link opens the console (its sign-in, for a browser without a session), until
 * SIGTERM, then exits 0.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const demo = fileURLToPath(new URL('../../examples/demo.mjs', import.meta.url));
const built = ['core', 'express', 'testing'].every((name) =>
  existsSync(new URL(`../../packages/${name}/dist/index.js`, import.meta.url)),
);

describe('npm run demo', () => {
  it.skipIf(!built)(
    'obtains its tokens from the example authorization server and decides every row as expected',
    async () => {
      const { stdout } = await run(process.execPath, [demo], { timeout: 60_000 });
      expect(stdout).toMatch(/authorization server \(oidc-provider\) at http:\/\/127\.0\.0\.1:\d+/);
      expect(stdout).toMatch(
        /task revoked at the AS: the tool is refused\s+GET \/v1\/search\s+delegated\s+401\s+token_revoked/,
      );
      expect(stdout).toMatch(/^(\d+) of \1 requests decided as expected\.$/m);
      expect(stdout).toMatch(
        /before the AS is up: its keys cannot be discovered\s+GET \/v1\/search\s+valid\s+503\s+jwks_unavailable/,
      );
      expect(stdout).toContain('"aap_actions_supported"'); // the RFC 9728 document
      expect(stdout).toMatch(/"event":"discovery\.down".*"cause":"[^"]*ECONNREFUSED/); // one infrastructure log line, with its cause
    },
    90_000,
  );

  it.skipIf(!built)(
    'with --serve: prints the console URL and serves a held request’s console page until SIGTERM',
    async () => {
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
        expect(output).toMatch(
          /Approval console: http:\/\/127\.0\.0\.1:\d+\/aap-admin\/console — sign in with any name and the admin key \S+/,
        );
        const page = await fetch(waiting);
        expect([page.status, page.headers.get('content-type')]).toEqual([401, 'text/html; charset=utf-8']);
        expect(await page.text()).toContain('Sign in');
      } finally {
        child.kill('SIGTERM');
      }
      expect(await exited).toBe(0);
    },
    90_000,
  );
});
