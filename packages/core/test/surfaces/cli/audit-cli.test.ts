/**
 * `aap-guard-audit verify <file>`: exit 0 on an intact log (printing its head), 1 naming the first
 * broken line, 2 on bad usage or an unreadable file. Run as a real process (the bin's source through
 * tsx) and in-process for the option handling.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGuard } from '@aap-guard/core';
import { chainedAuditLog } from '@aap-guard/core/audit';
import { createIssuer } from '@aap-guard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAuditCli } from '../../../src/surfaces/cli/audit-cli.js';

const BIN = fileURLToPath(new URL('../../../src/surfaces/cli/aap-guard-audit.ts', import.meta.url));
let dir: string;
let file: string;
let head: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aap-audit-cli-'));
  file = join(dir, 'audit.jsonl');
  const as = await createIssuer();
  const log = chainedAuditLog({ file });
  const guard = createGuard({ issuer: as.issuer, audience: as.audience, jwks: as.jwks, logger: false, audit: log });
  const token = await as.mint();
  for (let i = 0; i < 4; i++)
    await guard.check(
      { method: 'GET', url: 'https://api.example.com/x', headers: i === 2 ? {} : { authorization: `Bearer ${token}` } },
      { action: 'search.web' },
    );
  await guard.close();
  await log.close();
  head = `${log.head!.seq}:${log.head!.hash}`;
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function cli(...args: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', BIN, ...args], { encoding: 'utf8', timeout: 15_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

async function inProcess(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runAuditCli(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

describe('aap-guard-audit verify', () => {
  it('exits 0 on an intact log and prints its head; exits 1 naming an edited line', async () => {
    expect(cli('verify', file)).toMatchObject({ code: 0, stdout: `${file}: ok, 4 line(s), head ${head}\n` });
    const tampered = join(dir, 'tampered.jsonl');
    const rows = (await readFile(file, 'utf8')).split('\n');
    rows[1] = rows[1]!.replace('"status":200', '"status":403');
    await writeFile(tampered, rows.join('\n'));
    const run = cli('verify', tampered);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`${tampered}: line 2: altered: its content no longer matches its hash\n`);
  });

  it('exits 1 when a line was removed, naming where', async () => {
    const cut = join(dir, 'cut.jsonl');
    const rows = (await readFile(file, 'utf8')).split('\n');
    await writeFile(cut, [rows[0], ...rows.slice(2)].join('\n'));
    const run = await inProcess('verify', cut);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/line 2: does not follow line 1: seq 3 where 2 was expected/);
  });

  it('checks an anchored head and a predecessor head', async () => {
    expect((await inProcess('verify', file, '--anchor', head)).code).toBe(0);
    const later = `9:${head.split(':')[1]}`;
    expect(await inProcess('verify', file, '--anchor', later)).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/line 5: missing/),
    });
    expect(await inProcess('verify', file, '--after', head)).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/line 1: does not follow the start of the log/),
    });
  });

  it('exits 2 on bad usage or an unreadable file', async () => {
    expect((await inProcess('check', file)).code).toBe(2);
    expect(await inProcess('verify')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/usage: aap-guard-audit verify <file>/),
    });
    expect(await inProcess('verify', file, '--anchor', 'nope')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/SEQ:HASH/),
    });
    expect(await inProcess('verify', join(dir, 'absent.jsonl'))).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/cannot read: .*ENOENT/),
    });
    expect(await inProcess('--help')).toMatchObject({ code: 0, stdout: expect.stringMatching(/^usage/) });
  });
});
