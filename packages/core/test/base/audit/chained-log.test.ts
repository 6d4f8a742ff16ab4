/**
 * The draft's "logs protected against tampering": a hash-chained audit log written through a real
 * guard to a real file, then checked by verifyAuditFile() — an edited, removed, reordered or cut line
 * is found and named; a restarted process continues the chain; write failures reach the logger.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtemp, readFile, rm, writeFile, appendFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { createGuard, type AuditEvent, type Logger } from '@aap-guard/core';
import {
  AUDIT_GENESIS,
  chainedAuditLog,
  verifyAuditFile,
  verifyAuditLog,
  type ChainedAuditLog,
} from '@aap-guard/core/audit';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

let as: TestIssuer;
let dir: string;
const logged: { level: string; object: Record<string, unknown> }[] = [];
const logger: Logger = {
  error: (object) => void logged.push({ level: 'error', object }),
  warn: (object) => void logged.push({ level: 'warn', object }),
  info: (object) => void logged.push({ level: 'info', object }),
  debug: (object) => void logged.push({ level: 'debug', object }),
};

beforeAll(async () => {
  as = await createIssuer();
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aap-audit-'));
  logged.length = 0;
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A guard auditing to `audit`, and a function sending `count` requests (every third without a token: a deny). */
async function guarded(audit: (event: AuditEvent) => unknown) {
  const guard = createGuard({
    issuer: as.issuer,
    audience: as.audience,
    jwks: as.jwks,
    logger,
    audit,
    delegation: { unknownParent: 'allow-audited' },
  });
  const token = await as.mint();
  const send = async (count: number) => {
    for (let i = 0; i < count; i++) {
      const headers = i % 3 === 2 ? {} : { authorization: `Bearer ${token}` };
      const decision = await guard.check(
        { method: 'GET', url: `https://api.example.com/v1/search?i=${i}`, headers },
        { action: 'search.web' },
      );
      expect(decision.status).toBe(i % 3 === 2 ? 401 : 200); // whatever the audit log does
    }
  };
  return { guard, token, send };
}

async function traffic(audit: (event: AuditEvent) => unknown, count: number): Promise<string> {
  const { guard, token, send } = await guarded(audit);
  await send(count);
  await guard.close();
  return token;
}

async function writeLog(count: number): Promise<{ file: string; log: ChainedAuditLog; token: string }> {
  const file = join(dir, 'audit.jsonl');
  const log = chainedAuditLog({ file });
  const token = await traffic(log, count);
  await log.close();
  return { file, log, token };
}

const lines = async (file: string) => (await readFile(file, 'utf8')).split('\n').slice(0, -1);
const rewrite = (file: string, rows: string[]) => writeFile(file, rows.map((row) => `${row}\n`).join(''));

describe('chainedAuditLog + verifyAuditFile', () => {
  it('writes one chained line per decision through a real guard, and the log verifies', async () => {
    const { file, log, token } = await writeLog(6);
    const rows = await lines(file);
    expect(rows).toHaveLength(6);
    const first = JSON.parse(rows[0]!);
    expect(first).toMatchObject({ seq: 1, prev: AUDIT_GENESIS, decision: 'allow', action: 'search.web' });
    expect(JSON.parse(rows[2]!)).toMatchObject({
      seq: 3,
      prev: JSON.parse(rows[1]!).hash,
      decision: 'deny',
      reason: 'credentials_missing',
    });
    expect(first.tokenHash).toMatch(/^[\w-]{43}$/);
    expect(await readFile(file, 'utf8')).not.toContain(token);
    expect(await verifyAuditFile(file)).toEqual({ ok: true, lines: 6, head: log.head });
    expect(log.head?.seq).toBe(6);
  });

  it('an edited line is named (a value changed in the middle, and in the last line)', async () => {
    const { file } = await writeLog(5);
    const rows = await lines(file);
    await rewrite(
      file,
      rows.map((row, i) => (i === 1 ? row.replace('"decision":"allow"', '"decision":"deny"') : row)),
    );
    expect(await verifyAuditFile(file)).toMatchObject({
      ok: false,
      line: 2,
      problem: expect.stringMatching(/altered/),
    });
    await rewrite(
      file,
      rows.map((row, i) => (i === 4 ? row.replace('"status":200', '"status":201') : row)),
    );
    expect(await verifyAuditFile(file)).toMatchObject({
      ok: false,
      line: 5,
      problem: expect.stringMatching(/altered/),
    });
  });

  it('an edited line whose own hash was recomputed is caught by the next line', async () => {
    const { file } = await writeLog(4);
    const rows = await lines(file);
    const { seq, prev, hash: _hash, ...event } = JSON.parse(rows[1]!);
    const { chainLine } = await import('../../../src/base/audit/chain.js');
    const relinked = chainLine({ ...event, decision: 'deny' }, { seq: seq - 1, hash: prev }).line.trimEnd();
    await rewrite(file, [rows[0]!, relinked, rows[2]!, rows[3]!]);
    expect(await verifyAuditFile(file)).toMatchObject({
      ok: false,
      line: 3,
      problem: expect.stringMatching(/does not follow line 2/),
    });
  });

  it('a removed line is named: the first, a middle one', async () => {
    const { file } = await writeLog(5);
    const rows = await lines(file);
    await rewrite(file, rows.slice(1));
    expect(await verifyAuditFile(file)).toMatchObject({
      ok: false,
      line: 1,
      problem: expect.stringMatching(/1 line\(s\) removed/),
    });
    await rewrite(file, [...rows.slice(0, 2), ...rows.slice(3)]);
    expect(await verifyAuditFile(file)).toMatchObject({
      ok: false,
      line: 3,
      problem: expect.stringMatching(/seq 4 where 3 was expected/),
    });
  });

  it('two reordered lines are named', async () => {
    const { file } = await writeLog(5);
    const rows = await lines(file);
    await rewrite(file, [rows[0]!, rows[2]!, rows[1]!, rows[3]!, rows[4]!]);
    expect(await verifyAuditFile(file)).toMatchObject({
      ok: false,
      line: 2,
      problem: expect.stringMatching(/reordered/),
    });
  });

  it('lines cut from the end are found with an anchored head; an incomplete last line without', async () => {
    const { file, log } = await writeLog(5);
    const anchor = log.head!;
    const rows = await lines(file);
    await rewrite(file, rows.slice(0, 3));
    expect(await verifyAuditFile(file)).toMatchObject({ ok: true, lines: 3 }); // a plain hash chain cannot see this…
    expect(await verifyAuditFile(file, { anchor })).toMatchObject({
      ok: false,
      line: 4,
      problem: expect.stringMatching(/before the anchored seq 5/),
    });
    await writeFile(file, `${rows.slice(0, 3).join('\n')}\n${rows[3]!.slice(0, 40)}`);
    expect(await verifyAuditFile(file)).toMatchObject({
      ok: false,
      line: 4,
      problem: expect.stringMatching(/incomplete/),
    });
  });

  it('a restarted process continues the chain of the existing file', async () => {
    const { file } = await writeLog(3);
    const again = chainedAuditLog({ file });
    expect(await again.open()).toEqual({ seq: 3, hash: JSON.parse((await lines(file))[2]!).hash });
    await traffic(again, 2);
    await again.close();
    expect(await verifyAuditFile(file)).toMatchObject({ ok: true, lines: 5, head: { seq: 5 } });
    expect((await lines(file)).map((row) => JSON.parse(row).seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('a restart refuses to chain onto a damaged last line: the logger says why, once; decisions stand', async () => {
    const { file } = await writeLog(2);
    await appendFile(file, '{"seq":3,"prev":"torn');
    const again = chainedAuditLog({ file });
    await traffic(again, 3);
    await again.flush();
    const down = logged.filter((line) => line.object.event === 'audit.down');
    expect(down).toHaveLength(1);
    expect(down[0]!.object.cause).toMatch(/ends with an incomplete line/);
    expect((await lines(file)).length).toBe(2); // nothing appended after the damage
    await again.close();
  });

  it('a missing directory fails every write (reported once), and the log recovers when it appears', async () => {
    const file = join(dir, 'later', 'audit.jsonl');
    const log = chainedAuditLog({ file });
    const { guard, send } = await guarded(log);
    await send(2);
    await log.flush();
    expect(logged.filter((line) => line.object.event === 'audit.down')).toHaveLength(1);
    expect(String(logged[0]!.object.cause)).toMatch(/ENOENT/);
    await mkdir(join(dir, 'later'));
    await send(2);
    await guard.close();
    await log.close();
    await new Promise((resolve) => setImmediate(resolve));
    expect(logged.filter((line) => line.object.event === 'audit.up')).toHaveLength(1);
    expect(await verifyAuditFile(file)).toMatchObject({ ok: true, lines: 2 });
  });

  it.runIf(process.platform === 'linux')(
    'a full disk (/dev/full) rejects the writes: reported once through the logger',
    async () => {
      const log = chainedAuditLog({ file: '/dev/full', fsync: true });
      await traffic(log, 3);
      await log.close();
      const down = logged.filter((line) => line.object.event === 'audit.down');
      expect(down).toHaveLength(1);
      expect(String(down[0]!.object.code ?? down[0]!.object.cause)).toMatch(/ENOSPC/);
    },
  );

  it.runIf(process.platform === 'linux')(
    'a write cut short by the disk (EFBIG under ulimit -f) is rolled back: the file stays one valid chain',
    () => {
      const file = join(dir, 'audit.jsonl');
      const writer = fileURLToPath(new URL('./fixtures/bounded-writer.ts', import.meta.url));
      const run = spawnSync(
        'bash',
        ['-c', `ulimit -f 8 && exec "${process.execPath}" --import tsx "${writer}" "${file}"`],
        {
          encoding: 'utf8',
          timeout: 20_000,
          env: { ...process.env, TSX_DISABLE_CACHE: '1' }, // tsx's cache files must not hit the limit
        },
      );
      expect(run.status, run.stderr).toBe(0);
      const { results, verification } = JSON.parse(run.stdout) as { results: string[]; verification: unknown };
      expect(results).toContain('EFBIG');
      const written = results.filter((result) => result === 'ok').length;
      expect(results.slice(results.indexOf('EFBIG'))).toContain('ok'); // a small event after the failure still fits, chained
      expect(verification).toMatchObject({ ok: true, lines: written });
    },
  );

  it('concurrent decisions are written in batches, in order, as one valid chain (fsync on)', async () => {
    const file = join(dir, 'audit.jsonl');
    const log = chainedAuditLog({ file, fsync: true });
    const guard = createGuard({
      issuer: as.issuer,
      audience: as.audience,
      jwks: as.jwks,
      logger,
      audit: log,
      delegation: { unknownParent: 'allow-audited' },
    });
    const token = await as.mint();
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        guard.check(
          { method: 'GET', url: `https://api.example.com/x?i=${i}`, headers: { authorization: `Bearer ${token}` } },
          { action: 'search.web' },
        ),
      ),
    );
    await guard.close();
    await log.close();
    expect(await verifyAuditFile(file)).toMatchObject({ ok: true, lines: 200 });
    expect(logged).toEqual([]);
  });
});

describe('chainedAuditLog on a stream', () => {
  it('writes a chain that verifyAuditLog accepts, continuing from a given head (rotation)', async () => {
    const first = new PassThrough();
    const chunks: Buffer[] = [];
    first.on('data', (chunk: Buffer) => chunks.push(chunk));
    const log = chainedAuditLog({ stream: first });
    await traffic(log, 3);
    await log.flush();
    const head = log.head!;
    expect(verifyAuditLog(Buffer.concat(chunks))).toMatchObject({ ok: true, lines: 3, head });

    const second = new PassThrough();
    const next: Buffer[] = [];
    second.on('data', (chunk: Buffer) => next.push(chunk));
    const rotated = chainedAuditLog({ stream: second, continueFrom: head });
    await traffic(rotated, 2);
    await rotated.flush();
    expect(verifyAuditLog(Buffer.concat(next))).toMatchObject({ ok: false, line: 1 }); // not from the genesis
    expect(verifyAuditLog(Buffer.concat(next), { after: head })).toMatchObject({
      ok: true,
      lines: 2,
      head: { seq: 5 },
    });
  });

  it('a stream that does not keep up: events beyond maxPending are refused and reported, the rest is one valid chain', async () => {
    const written: Buffer[] = [];
    const slow = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        written.push(chunk);
        setTimeout(callback, 30);
      },
    });
    const log = chainedAuditLog({ stream: slow, maxPending: 5 });
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        log({ time: '', decision: 'allow', status: 200, method: 'GET', path: `/${i}`, latencyMs: 0 }),
      ),
    );
    const refused = results.filter((result) => result.status === 'rejected');
    expect(refused.length).toBeGreaterThan(0);
    expect(String((refused[0] as PromiseRejectedResult).reason)).toMatch(/events behind/);
    await log.flush();
    expect(verifyAuditLog(Buffer.concat(written))).toMatchObject({ ok: true, lines: 20 - refused.length });
  });

  it('a stream that fails refuses every later event with the cause, without crashing the process', async () => {
    const broken = new Writable({
      write(_chunk, _encoding, callback) {
        callback(new Error('EPIPE: the collector went away'));
      },
    });
    const log = chainedAuditLog({ stream: broken });
    const event: AuditEvent = { time: '', decision: 'deny', status: 401, method: 'GET', path: '/', latencyMs: 0 };
    await expect(log(event)).rejects.toThrow(/collector went away/);
    await expect(log(event)).rejects.toThrow(/failed earlier/);
  });
});

describe('chainedAuditLog options', () => {
  it.each([
    ['neither file nor stream', {}, /exactly one of options.file and options.stream/],
    ['both', { file: 'a', stream: new PassThrough() }, /exactly one/],
    ['fsync on a stream', { stream: new PassThrough(), fsync: true }, /fsync applies to options.file only/],
    ['maxPending 0', { file: 'a', maxPending: 0 }, /maxPending/],
    ['a malformed continueFrom', { file: 'a', continueFrom: { seq: 1, hash: 'x' } }, /continueFrom/],
  ])('misconfiguration is a TypeError naming the option: %s', (_name, options, message) => {
    expect(() => chainedAuditLog(options as never)).toThrow(TypeError);
    expect(() => chainedAuditLog(options as never)).toThrow(message);
  });
});
