// The machine, Node, the versions of every package measured, and the commit: the header of a report.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Version of package `name` as Node would resolve it from `from` (a package directory). */
function versionOf(name, from = root) {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')).version;
    if (dirname(dir) === dir) return 'not installed';
  }
}
const packageDir = (name) => realpathSync(join(root, 'node_modules', name));

/** Machine, Node, package and git facts for the report. */
export function environment(redisVersion) {
  const direct = [
    'express',
    'express-oauth2-jwt-bearer',
    'fastify',
    '@fastify/jwt',
    '@fastify/rate-limit',
    'koa',
    '@koa/router',
    'koa-jwt',
    'autocannon',
    'ioredis',
    'jose',
  ];
  const versions = Object.fromEntries(direct.map((name) => [name, versionOf(name)]));
  versions['fast-jwt'] = versionOf('fast-jwt', packageDir('@fastify/jwt'));
  versions.jsonwebtoken = versionOf('jsonwebtoken', packageDir('koa-jwt'));
  versions['@aap-guard/core'] = JSON.parse(readFileSync(join(root, 'packages/core/package.json'), 'utf8')).version;
  if (redisVersion) versions['redis-server'] = redisVersion;
  const git = (...args) => {
    try {
      return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return '';
    }
  };
  const dirty = git('status', '--porcelain', '--', 'packages') !== '';
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    ramGiB: totalmem() / 2 ** 30,
    node: process.version,
    versions,
    commit: `${git('rev-parse', '--short', 'HEAD') || 'unknown'}${dirty ? ' (uncommitted changes in packages/)' : ''}`,
    date: new Date().toISOString(),
    load: loadavg(),
  };
}
