/**
 * docs/guides/getting-a-token-locally.md: with the `aap-guard` CLI of @aap-guard/testing, a newcomer's first allowed
 * request needs no type definitions — `dev-issuer` serves a local development issuer and prints the
 * environment that makes `aapGuard()` trust it, `dev-token` prints a token. Here the commands run in
 * process (`runCli`) against a real Express app over real HTTP, configured from what the CLI printed;
 * test/packaging runs the packed bin as a child process.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { optionsFromEnv } from '@aap-guard/core';
import { aapGuard } from '@aap-guard/express';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../packages/testing/src/cli/cli.js';
import { listen, type Listening } from '../adapters/kit.js';

const cwd = mkdtempSync(join(tmpdir(), 'aap-dev-'));
const stopIssuer = new AbortController();
let issuer: Promise<number>;
let printed: string;
let api: Listening;

/** Run one command; its exit code and what it wrote. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    cwd,
  };
  const code = await runCli(args, io);
  return { code, stdout, stderr };
}

/** `KEY=value` pairs of the line after "Start your API with:". */
function envFrom(text: string): Record<string, string> {
  const line = text.split('\n')[text.split('\n').findIndex((l) => l.startsWith('Start your API with:')) + 1] ?? '';
  return Object.fromEntries(
    line
      .trim()
      .split(/\s+/)
      .map((pair) => pair.split('=') as [string, string]),
  );
}

beforeAll(async () => {
  let out = '';
  let started: () => void;
  const ready = new Promise<void>((resolve) => (started = resolve));
  const write = (text: string) => ((out += text), out.includes('Get a token:') && started());
  issuer = runCli(['dev-issuer', '--port', '0'], {
    stdout: { write },
    stderr: { write: () => true },
    cwd,
    signal: stopIssuer.signal,
  });
  await Promise.race([
    ready,
    issuer.then((code) => Promise.reject(new Error(`dev-issuer exited with ${code}: ${out}`))),
  ]);
  printed = out;
  // The quickstart app, its guard built from the environment the CLI printed (what `aapGuard()` reads).
  const aap = aapGuard(optionsFromEnv(envFrom(printed)).options as Parameters<typeof aapGuard>[0]);
  const app = express();
  app.use(aap);
  app.get(
    '/v1/search',
    aap.require('search.web', { target: (req) => req.query.url as string | undefined }),
    (req, res) => {
      res.json({ agent: req.aap?.claims.agent.id });
    },
  );
  await aap.guard.ready({ timeoutMs: 10_000 });
  api = await listen(createServer(app), aap.guard);
}, 30_000);

afterAll(async () => {
  await api?.close();
  stopIssuer.abort();
  expect(await issuer).toBe(0);
  rmSync(cwd, { recursive: true, force: true });
});

const get = (path: string, headers: Record<string, string>) => fetch(new URL(path, api.url), { headers });

describe('aap-guard dev-issuer + dev-token: a first allowed request', () => {
  it('dev-issuer prints its URL and the environment that trusts it (AAP_ISSUER is that URL)', () => {
    const url = /listening (http:\/\/127\.0\.0\.1:\d+) /.exec(printed)?.[1];
    expect(envFrom(printed)).toEqual({ AAP_ISSUER: url, AAP_AUDIENCE: 'http://localhost:3000' });
  });

  it('a token for the route action: 200, the dev agent', async () => {
    const { code, stdout } = await cli('dev-token', '--action', 'search.web', '--quiet');
    expect(code).toBe(0);
    const response = await get('/v1/search', { authorization: `Bearer ${stdout.trim()}` });
    expect([response.status, await response.json()]).toEqual([200, { agent: 'dev-agent' }]);
  });

  it('a token for another action: 403 capability_missing', async () => {
    const { stdout } = await cli('dev-token', '--action', 'cms.publish', '--agent', 'my-agent', '--quiet');
    const response = await get('/v1/search', { authorization: `Bearer ${stdout.trim()}` });
    expect([response.status, ((await response.json()) as { reason: string }).reason]).toEqual([
      403,
      'capability_missing',
    ]);
  });

  it('--json: the token with the same environment dev-issuer printed', async () => {
    const { stdout } = await cli('dev-token', '--action', 'search.web', '--json');
    const out = JSON.parse(stdout) as { token: string; env: Record<string, string>; token_type: string };
    expect([out.env, out.token_type]).toEqual([envFrom(printed), 'Bearer']);
    expect((await get('/v1/search', { authorization: `Bearer ${out.token}` })).status).toBe(200);
  });

  it('--constraints apply to each action: a domain outside domains_allowed is refused', async () => {
    const { stdout } = await cli(
      'dev-token',
      '--action',
      'search.web',
      '--constraints',
      '{"domains_allowed":["example.com"]}',
      '--quiet',
    );
    const headers = { authorization: `Bearer ${stdout.trim()}` };
    expect((await get('/v1/search?url=https://example.com/a', headers)).status).toBe(200);
    expect((await get('/v1/search?url=https://evil.example.net/', headers)).status).toBe(403);
  });

  it('--dpop + dev-proof: accepted with a proof, refused as a plain Bearer token', async () => {
    const { stdout } = await cli('dev-token', '--action', 'search.web', '--dpop', '--quiet');
    const token = stdout.trim();
    const url = new URL('/v1/search', api.url).href;
    const proof = (await cli('dev-proof', '--url', url, '--token', token)).stdout.trim();
    expect((await get('/v1/search', { authorization: `DPoP ${token}`, dpop: proof })).status).toBe(200);
    expect((await get('/v1/search', { authorization: `Bearer ${token}` })).status).toBe(401);
  });
});

describe('aap-guard: the development issuer on disk, and bad usage', () => {
  it('keeps its private key owner-only in .aap-dev/, git-ignored, its public keys in jwks.json', () => {
    expect(statSync(join(cwd, '.aap-dev', 'issuer.json')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(cwd, '.aap-dev', '.gitignore'), 'utf8')).toMatch(/^\*$/m);
    const { keys } = JSON.parse(readFileSync(join(cwd, '.aap-dev', 'jwks.json'), 'utf8')) as {
      keys: Record<string, unknown>[];
    };
    expect(keys.map((key) => 'd' in key)).toEqual([false]);
  });

  it.each([
    [['dev-token'], 'needs at least one --action'],
    [['dev-token', '--action', 'search.web', '--ttl', 'soon'], '--ttl must be a positive duration'],
    [['dev-token', '--action', 'search.web', '--claims', '[]'], '--claims must be a JSON object'],
    [['dev-token', '--acton', 'search.web'], "Unknown option '--acton'"],
    [['dev-issuer', '--port', '1'], 'its port is'],
    [['dev-proof'], 'needs --url'],
    [['token'], 'unknown command "token"'],
  ])('%j: exit 2, saying why, with the usage', async (args, why) => {
    const { code, stderr } = await cli(...args);
    expect([code, stderr]).toEqual([2, expect.stringContaining(why)]);
    expect(stderr).toContain('usage: aap-guard <command>');
  });
});
