/**
 * The consumer projects of packing.test.ts: pack every package with `npm run pack`'s script
 * (scripts/pack.mjs: pnpm pack, workspace:^ ranges become real ones), and install the tarballs with
 * plain npm into copies of fixtures/<name>, outside the workspace, under the OS temp dir.
 *
 * Reruns are fast: npm's cache is kept in <tmp>/aap-guard-npm-cache, and each consumer's
 * node_modules is kept between runs of one checkout. A tarball's name carries its content hash, so
 * npm reinstalls exactly the packages that changed; the fixtures' own files are copied afresh.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const PACKAGES = ['core', 'redis', 'express', 'fastify', 'koa', 'testing', 'nestjs', 'admin', 'mcp'] as const;
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const NPM_CACHE = join(tmpdir(), 'aap-guard-npm-cache');
/** One directory per checkout, so two worktrees on one machine never share consumers. */
export const WORK = join(
  tmpdir(),
  `aap-guard-consumers-${createHash('sha256').update(ROOT).digest('hex').slice(0, 8)}`,
);
export const TARBALLS = join(WORK, 'tarballs');

/**
 * The packages are built, and no source file is newer than its build (the tarballs are made from dist/).
 *
 * @example
 * assertBuilt(); // throws "packages/core/dist is older than src/…: run `pnpm run build` first"
 */
export function assertBuilt(): void {
  for (const name of PACKAGES) {
    const marker = join(ROOT, 'packages', name, 'dist', 'cjs', 'package.json'); // written near the end of a build
    if (!existsSync(marker)) throw new Error(`packages/${name} is not built: run \`pnpm run build\` first`);
    const built = statSync(marker).mtimeMs;
    const newer = readdirSync(join(ROOT, 'packages', name, 'src'), { recursive: true, withFileTypes: true }).find(
      (entry) => entry.isFile() && statSync(join(entry.parentPath, entry.name)).mtimeMs > built,
    );
    if (newer) throw new Error(`packages/${name}/dist is older than src/${newer.name}: run \`pnpm run build\` first`);
  }
}

/**
 * Pack every package into TARBALLS with `npm run pack`'s script (scripts/pack.mjs: pnpm pack, real
 * version ranges, checked); returns the tarball file name of each package name.
 *
 * @example
 * (await packAll()).get('@aap-guard/core') // → 'aap-guard-core-3f2a9c….tgz'
 */
export async function packAll(): Promise<Map<string, string>> {
  await run(process.execPath, [join(ROOT, 'scripts', 'pack.mjs'), TARBALLS], ROOT);
  const files = new Map<string, string>();
  for (const file of readdirSync(TARBALLS)) {
    const name = PACKAGES.find((p) => file.startsWith(`aap-guard-${p}-`))!;
    const hashed = `aap-guard-${name}-${createHash('sha256')
      .update(readFileSync(join(TARBALLS, file)))
      .digest('hex')
      .slice(0, 12)}.tgz`;
    renameSync(join(TARBALLS, file), join(TARBALLS, hashed));
    files.set(`@aap-guard/${name}`, hashed);
  }
  return files;
}

/**
 * Copy fixtures/<name> to WORK/<name> (keeping node_modules and the lockfile of the last run), point
 * its `@aap-guard/*` dependencies at the tarballs, add `extra` files, and `npm install`.
 *
 * @example
 * const dir = await installConsumer('jest29', tarballs, { 'cases.json': '…' });
 */
export async function installConsumer(
  name: string,
  tarballs: Map<string, string>,
  extra: Record<string, string> = {},
): Promise<string> {
  const dir = join(WORK, name);
  mkdirSync(dir, { recursive: true });
  for (const entry of readdirSync(dir))
    if (entry !== 'node_modules' && entry !== 'package-lock.json') rmSync(join(dir, entry), { recursive: true });
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  for (const dep of Object.keys(manifest.dependencies)) {
    if (!dep.startsWith('@aap-guard/')) continue;
    if (!tarballs.has(dep)) throw new Error(`${name}: no tarball for ${dep}`);
    manifest.dependencies[dep] = `file:../tarballs/${tarballs.get(dep)}`;
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  for (const [file, text] of Object.entries(extra)) writeFileSync(join(dir, file), text);
  await run(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', `--cache=${NPM_CACHE}`],
    dir,
  );
  return dir;
}

/** What a finished process printed. */
export interface Ran {
  readonly code: number | null;
  readonly output: string;
}

/**
 * Run a command to its end; rejects with its output when it fails, unless `allowFailure`.
 *
 * @example
 * const { output } = await run(process.execPath, ['one-process.mjs'], dir);
 */
export function run(
  command: string,
  args: readonly string[],
  cwd: string,
  options: { env?: Record<string, string>; allowFailure?: boolean } = {},
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: childEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0 || options.allowFailure) resolve({ code, output });
      else reject(new Error(`${command} ${args.join(' ')} (in ${cwd}) exited with ${code}:\n${output}`));
    });
  });
}

/** A consumer server that printed `listening <url>`. */
export interface Served {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Start `node <args>` in `cwd` and wait (up to 30 s) for its `listening <url>` line.
 *
 * @example
 * const served = await serve(dir, ['server.js'], { CONSUMER_GUARD_OPTIONS: '{…}' }); await served.stop();
 */
export function serve(cwd: string, args: readonly string[], env: Record<string, string>): Promise<Served> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => fail('did not print `listening <url>` within 30 s'), 30_000);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill();
      reject(new Error(`node ${args.join(' ')} (in ${cwd}) ${why}:\n${output}`));
    };
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk;
      const url = /listening (http:\/\/\S+)/.exec(output)?.[1];
      if (!url) return;
      clearTimeout(timer);
      resolve({ url, stop: () => stop(child) });
    });
    child.on('exit', (code) => fail(`exited with ${code}`));
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill();
  });
}

/** The test process's environment without what npm, pnpm and vitest set for themselves. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(npm_|pnpm_|VITEST|NODE_OPTIONS$|NODE_ENV$|TEST$)/i.test(key)),
  );
  return { ...env, ...extra };
}

/**
 * Run `tasks` with at most `n` at once (the machine has 2 cores).
 *
 * @example
 * await limit(3, names.map((name) => () => installConsumer(name, tarballs)));
 */
export function limit<T>(n: number, tasks: ReadonlyArray<() => Promise<T>>): Promise<T[]> {
  const slot = semaphore(n);
  return Promise.all(tasks.map((task) => slot(task)));
}

/**
 * A function that runs the tasks given to it with at most `n` at once, in call order.
 *
 * @example
 * const slot = semaphore(2); const result = slot(() => run('tsc', [], dir));
 */
export function semaphore(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (task) => {
    if (running >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      return await task();
    } finally {
      running -= 1;
      waiting.shift()?.();
    }
  };
}
