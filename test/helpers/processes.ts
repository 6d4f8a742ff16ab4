/** Child processes of the multi-replica tests: replicas of the Express fixture, and client processes. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

/** A running replica of test/fixtures/replica-server.ts. */
export interface Replica {
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * Start a replica process (through tsx) of `server` (a file of test/fixtures) and wait for `LISTENING <port>`.
 *
 * @example
 * const replica = await startReplica({ REPLICA_JWKS: JSON.stringify(issuer.jwks), REDIS_SINGLE: '127.0.0.1:7001' });
 */
export function startReplica(env: Readonly<Record<string, string>>, server = 'replica-server.ts'): Promise<Replica> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', fixture(server)], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`replica did not start: ${output}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /LISTENING (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ port: Number(match[1]), stop });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`replica exited with ${code}: ${output}`));
    });
  });
}

/**
 * Run one client process firing `count` concurrent requests over `urls`; resolves status → count.
 *
 * @example
 * const tally = await fire(25, token, ['http://127.0.0.1:3001/single/x']);
 */
export async function fire(count: number, token: string, urls: readonly string[]): Promise<Record<string, number>> {
  const { stdout } = await run(process.execPath, [fixture('fire.mjs'), String(count), ...urls], {
    env: { ...process.env, AAP_TOKEN: token },
  });
  return JSON.parse(stdout) as Record<string, number>;
}
