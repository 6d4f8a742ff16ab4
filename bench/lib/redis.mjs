// A real redis-server for the benchmarks, on a free loopback port (never 6379), without persistence —
// the same way test/helpers/redis.ts starts one for the tests (ported here: the bench runs plain Node).
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { processCpu } from './proc.mjs';

const run = promisify(execFile);
const HOST = '127.0.0.1';

/** A free TCP port on loopback, never 6379. */
export async function freePort() {
  for (;;) {
    const port = await new Promise((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, HOST, () => {
        const { port: bound } = server.address();
        server.close(() => resolve(bound));
      });
    });
    if (port > 1024 && port !== 6379) return port;
  }
}

function launch(port, dir) {
  const args = [
    '--port',
    String(port),
    '--bind',
    HOST,
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--loglevel',
    'warning',
  ];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`redis-server :${port} did not start: ${output}`)), 10_000);
    const probe = setInterval(() => {
      run('redis-cli', ['-h', HOST, '-p', String(port), 'ping']).then(
        ({ stdout }) => {
          if (!stdout.includes('PONG')) return;
          clearInterval(probe);
          clearTimeout(timer);
          child.removeListener('exit', onExit);
          resolve(child);
        },
        () => undefined,
      );
    }, 50);
    const fail = (error) => {
      clearInterval(probe);
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const onExit = (code) => fail(new Error(`redis-server :${port} exited with ${code}: ${output}`));
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('exit', onExit);
    child.once('error', (error) =>
      fail(
        new Error(
          `cannot run redis-server (${error.message}): install it (apt-get install redis-server), or run a subset without Redis subjects`,
        ),
      ),
    );
  });
}

/**
 * Start one redis-server on a free loopback port: `{ host, port, version, cli(...args), cpu(), stop() }`.
 * Retries on a port taken between the probe and the bind (other people's tests run on this machine).
 */
export async function startRedis() {
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), `aap-bench-redis-${port}-`));
    try {
      const child = await launch(port, dir);
      const cli = async (...args) => (await run('redis-cli', ['-h', HOST, '-p', String(port), ...args])).stdout.trim();
      const version = /redis_version:(\S+)/.exec(await cli('info', 'server'))?.[1] ?? 'unknown';
      const stop = async () => {
        if (child.exitCode === null && child.signalCode === null) {
          await new Promise((resolve) => {
            child.once('exit', resolve);
            child.kill('SIGTERM');
          });
        }
        rmSync(dir, { recursive: true, force: true });
      };
      return { host: HOST, port, version, cli, stop, cpu: () => processCpu(child.pid) };
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      if (attempt >= 3) throw error;
    }
  }
}
