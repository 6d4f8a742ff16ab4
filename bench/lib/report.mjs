// Statistics, the machine and versions, and the results table (console and bench/RESULTS.md).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

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
  const direct = ['express', 'express-oauth2-jwt-bearer', 'fastify', '@fastify/jwt', '@fastify/rate-limit', 'koa', '@koa/router', 'koa-jwt', 'autocannon', 'ioredis', 'jose'];
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
    commit: `${git('rev-parse', '--short', 'HEAD') || 'unknown'}${dirty ? ' (with uncommitted changes in packages/)' : ''}`,
    date: new Date().toISOString(),
    load: loadavg(),
  };
}

/**
 * Evaluate the rows against the measured rounds: `{ label, value, range, text, goal, met }` (rows whose
 * subjects were not measured are left out). A ratio is the median of the per-round ratios: the subjects
 * of a group are measured in interleaved rounds, so pairing round r with round r cancels much of the
 * drift of a shared machine's load; `range` is the lowest and highest per-round ratio. `cpu` is the
 * same ratio of CPU efficiency (requests per CPU-second of the server, and of redis-server for a Redis
 * subject): less sensitive to how much CPU other processes left the server.
 */
export function evaluate(rows, rates, cpu, micro) {
  const out = [];
  for (const row of rows) {
    if (row.micro) {
      const figure = micro?.[row.micro];
      if (figure === undefined) continue;
      const value = figure.median;
      const range = [Math.min(...figure.rounds), Math.max(...figure.rounds)];
      const straddles = row.max !== undefined && range[0] <= row.max && range[1] > row.max;
      out.push({ label: row.label, value, range, straddles, text: `${value.toFixed(2)} µs`, spread: `${range[0].toFixed(1)}–${range[1].toFixed(1)}`, goal: row.max && `≤ ${row.max} µs`, met: row.max === undefined ? undefined : value <= row.max });
      continue;
    }
    const num = rates[row.num];
    const den = rates[row.den];
    if (!num?.length || !den?.length) continue;
    const paired = (a, b, f) => (a.length === b.length ? a.map((x, i) => f(x, b[i])) : [f(median(a), median(b))]);
    const ratios = paired(num, den, (x, y) => x / y);
    const value = median(ratios);
    const efficiency = median(paired(cpu[row.num], cpu[row.den], (x, y) => y / x));
    const range = [Math.min(...ratios), Math.max(...ratios)];
    const times = row.min >= 1 ? '×' : '';
    const goal = row.min === undefined ? undefined : `≥ ${row.min >= 1 ? row.min : row.min.toFixed(2)}${times}`;
    const straddles = row.min !== undefined && range[0] < row.min && range[1] >= row.min;
    out.push({ label: row.label, value, range, straddles, text: `${value.toFixed(2)}${times}`, spread: `${range[0].toFixed(2)}–${range[1].toFixed(2)}`, cpu: Number.isFinite(efficiency) ? `${efficiency.toFixed(2)}${times}` : '—', goal, met: row.min === undefined ? undefined : value >= row.min });
  }
  return out;
}

/** met / NOT met by the median; flagged when some rounds fell on the other side of the goal. */
const verdict = (row) => (row.met === undefined ? '' : `${row.met ? 'met' : 'NOT met'}${row.straddles ? ' (rounds on both sides)' : ''}`);

/** The ratio table, as plain text for the console. */
export function consoleTable(evaluated) {
  const width = Math.max(...evaluated.map((row) => row.label.length));
  const header = `  ${'measure'.padEnd(width)}  ${'ratio'.padStart(9)}  ${'(rounds)'.padEnd(13)} ${'per CPU'.padStart(7)}  ${'goal'.padEnd(9)}`;
  return [header, ...evaluated.map((row) => `  ${row.label.padEnd(width)}  ${row.text.padStart(9)}  ${`(${row.spread})`.padEnd(13)} ${(row.cpu ?? '').padStart(7)}  ${(row.goal ?? '').padEnd(9)} ${verdict(row)}`)].join('\n');
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const pct = (n) => `${Math.round(n * 100)}%`;

/** bench/RESULTS.md. */
export function markdown({ env, settings, evaluated, subjects, micro, note, warnings = [], loadAfter }) {
  const lines = [
    '# Benchmark results',
    '',
    `Written by \`npm run bench\` on ${env.date} (commit ${env.commit}).${note ? ` ${note}` : ''}`,
    '',
    '## Ratios (issue 15), all from this one run',
    '',
    '| measure | this run | rounds (lowest–highest) | per CPU-second | goal | |',
    '|---|---|---|---|---|---|',
    ...evaluated.map((row) => `| ${row.label} | ${row.text} | ${row.spread} | ${row.cpu ?? '—'} | ${row.goal ?? '—'} | ${verdict(row)} |`),
    ...(warnings.length > 0 ? ['', ...warnings.map((warning) => `> ${warning}`)] : []),
    '',
    'A ratio is the median over the rounds of (requests/s of one subject ÷ requests/s of the other in the same round): the subjects of a group are measured one after the other in each round, so a ratio compares measurements taken seconds apart. Throughput is of 2xx responses; see Settings. "Per CPU-second" is the same ratio of requests served per CPU-second of the server (plus redis-server for a Redis subject), median over the rounds: on a machine where other processes take CPU it moves less than throughput; when the two disagree, the machine was busy. Goals are judged on throughput, as issue 15 defines them.',
    '',
    '## Subjects',
    '',
    '| subject | median req/s | rounds (req/s) | vs bare | p50 / p99 latency (ms) | CPU µs per request | server CPU | load generator CPU |',
    '|---|---|---|---|---|---|---|---|',
    ...subjects.map((s) => `| ${s.label} | ${fmt(s.median)} | ${s.rates.map(fmt).join(', ')} | ${s.vsBare === undefined ? '—' : pct(s.vsBare)} | ${s.p50} / ${s.p99} | ${Number.isFinite(s.cpuPerRequest) ? Math.round(s.cpuPerRequest) : '—'} | ${pct(s.serverCpu)} | ${pct(s.loaderCpu)} |`),
    '',
  ];
  if (micro) {
    lines.push('## `guard.check()` in process (µs per call, median of rounds)', '', '| variant | µs per call | rounds |', '|---|---|---|');
    const names = { constrained: 'cached Bearer token, domains + rate limit', plain: 'cached Bearer token, no constraints', dpop: 'cached DPoP-bound token + a fresh ES256 proof, domains + rate limit' };
    for (const [name, { median: us, rounds }] of Object.entries(micro)) lines.push(`| ${names[name] ?? name} | ${us.toFixed(2)} | ${rounds.map((r) => r.toFixed(2)).join(', ')} |`);
    lines.push('');
  }
  lines.push(
    '## Machine and versions',
    '',
    `- CPU: ${env.cpu}, ${env.cores} cores; RAM ${env.ramGiB.toFixed(1)} GiB; load average at start ${env.load.map((l) => l.toFixed(2)).join(' / ')}${loadAfter ? `, at end ${loadAfter.map((l) => l.toFixed(2)).join(' / ')}` : ''}`,
    `- Node ${env.node}`,
    `- ${Object.entries(env.versions).map(([name, version]) => `${name} ${version}`).join(', ')}`,
    '',
    '## Settings',
    '',
    ...settings.map((line) => `- ${line}`),
    '',
  );
  return lines.join('\n');
}
