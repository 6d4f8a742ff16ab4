/**
 * Real redis-server processes for tests: each on a free loopback port (never 6379), no persistence,
 * stopped by the test that started it. A 3-node cluster is built with `redis-cli --cluster create`.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';

const run = promisify(execFile);
export const HOST = '127.0.0.1';

/** A running redis-server. */
export interface RedisServer {
  readonly host: string;
  readonly port: number;
  /** False after `kill()` or `stop()`, until `restart()`. */
  readonly running: boolean;
  /** Stop for good: SIGTERM, wait for exit, remove the data directory. */
  stop(): Promise<void>;
  /** Take the server down (SIGKILL, as a crash would) but keep its port and directory for `restart()`. */
  kill(): Promise<void>;
  /** Freeze the process (SIGSTOP): connections stay open, nothing answers — a hung Redis. */
  pause(): void;
  /** Thaw a paused process (SIGCONT). */
  resume(): void;
  /** Start again on the same port (after `kill()`). */
  restart(): Promise<void>;
  /** Run redis-cli against this server; resolves stdout. */
  cli(...args: string[]): Promise<string>;
}

/** A free TCP port on the loopback interface (below 55535 so the cluster bus port +10000 is valid). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, HOST, () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    if (port > 1024 && port < 55_000 && port !== 6379) return port;
  }
}

function launch(port: number, dir: string, extra: readonly string[]): Promise<ChildProcess> {
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
    ...extra,
  ];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    let settled = false;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    const timer = setTimeout(
      () => settle(() => reject(new Error(`redis-server :${port} did not start: ${output}`))),
      10_000,
    );
    // One probe at a time: on a loaded machine overlapping redis-cli processes would still be in flight
    // once the server answers, and their late PING would land in a test's MONITOR count.
    const probe = (): void => {
      run('redis-cli', ['-h', HOST, '-p', String(port), 'ping']).then(
        ({ stdout }) => (stdout.includes('PONG') ? settle(() => resolve(child)) : retry()),
        retry,
      );
    };
    const retry = (): void => {
      if (!settled) setTimeout(probe, 50);
    };
    probe();
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) =>
      settle(() => reject(new Error(`redis-server :${port} exited with ${code}: ${output}`))),
    );
  });
}

/**
 * Start one redis-server on a free loopback port.
 *
 * @example
 * const redis = await startRedis(); // afterAll(() => redis.stop())
 */
export async function startRedis(extra: readonly string[] = []): Promise<RedisServer> {
  // Another test process may grab the same free port between our probe and redis-server's bind: retry.
  let port = 0;
  let dir = '';
  let child: ChildProcess | undefined;
  for (let attempt = 1; !child; attempt += 1) {
    port = await freePort();
    dir = mkdtempSync(join(tmpdir(), `aap-redis-${port}-`));
    try {
      child = await launch(port, dir, extra);
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      if (attempt >= 3) throw error;
    }
  }
  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    const current = child;
    child = undefined;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      current.once('exit', () => resolve());
      current.kill(signal);
    });
  };
  return {
    host: HOST,
    port,
    get running() {
      return child !== undefined;
    },
    stop: async () => {
      await halt('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
    kill: () => halt('SIGKILL'),
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    restart: async () => {
      await halt('SIGKILL');
      child = await launch(port, dir, extra);
    },
    cli: async (...args) => (await run('redis-cli', ['-h', HOST, '-p', String(port), ...args])).stdout,
  };
}

/** A running Redis Cluster of masters without replicas. */
export interface RedisCluster {
  readonly nodes: readonly RedisServer[];
  stop(): Promise<void>;
}

/**
 * Start a Redis Cluster of `size` masters (no replicas) and wait until it serves all slots.
 *
 * @example
 * const cluster = await startCluster(); // new Redis.Cluster(cluster.nodes.map(({ host, port }) => ({ host, port })))
 */
export async function startCluster(size = 3): Promise<RedisCluster> {
  const config = ['--cluster-enabled', 'yes', '--cluster-node-timeout', '2000'];
  const nodes = await Promise.all(Array.from({ length: size }, () => startRedis(config)));
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => node.stop()));
  };
  try {
    const addresses = nodes.map((node) => `${node.host}:${node.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes']);
    for (let attempt = 0; ; attempt += 1) {
      const states = await Promise.all(nodes.map((node) => node.cli('cluster', 'info')));
      if (states.every((info) => info.includes('cluster_state:ok'))) break;
      if (attempt > 200) throw new Error('cluster did not reach cluster_state:ok');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes, stop };
}

/**
 * Count the commands that clients send to `server` while `during` runs, by name, through MONITOR —
 * which tells a client's commands from those a script runs (source `lua`, left out). The test's own
 * marker and MONITOR connection are left out too.
 *
 * @example
 * const { commands } = await clientCommands(server, () => store.consume(request)); // { evalsha: 1 }
 */
export async function clientCommands<T>(
  server: RedisServer,
  during: () => Promise<T>,
): Promise<{ result: T; commands: Record<string, number> }> {
  const monitor = await new Redis({ host: server.host, port: server.port, lazyConnect: true }).monitor();
  const marker = `end-of-watch-${Math.random().toString(36).slice(2)}`;
  const commands: Record<string, number> = {};
  const done = new Promise<void>((resolve) =>
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      const name = String(args[0]).toLowerCase();
      if (name === 'echo' && args[1] === marker) resolve();
      else if (source !== 'lua') commands[name] = (commands[name] ?? 0) + 1;
    }),
  );
  try {
    const result = await during();
    await server.cli('echo', marker);
    await done;
    return { result, commands };
  } finally {
    monitor.disconnect();
  }
}
