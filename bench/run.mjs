#!/usr/bin/env node
// `npm run bench [-- --quick] [-- group|subject …]`: the goals of issue 26 (bench/goals.mjs), measured as
// server CPU per request and throughput over interleaved rounds, with their spread. Each server runs
// alone in its own child process (bench/server.mjs), the load generator in another (bench/load.mjs,
// autocannon), the guard.check() micro-benchmark in a third (bench/micro.mjs); a server's CPU is read from
// /proc. A full run adds its report to bench/RESULTS.md. Method, knobs, how to read: bench/README.md.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { ADDED, GOALS, OTHERS } from './goals.mjs';
import { spawnChild } from './lib/children.mjs';
import { requireFreshBuild } from './lib/dist.mjs';
import { environment } from './lib/environment.mjs';
import { evaluate } from './lib/evaluate.mjs';
import { addToHistory } from './lib/history.mjs';
import { createMaterial } from './lib/material.mjs';
import { USAGE, parseOptions } from './lib/options.mjs';
import { startRedis } from './lib/redis.mjs';
import { consoleReport, markdown, warningsOf } from './lib/report.mjs';
import { createRounds } from './lib/rounds.mjs';
import { describeSettings } from './lib/settings.mjs';
import { LIMITS, SPREAD, redisWindow } from './lib/window-memory.mjs';
import { GROUPS, MICRO, SUBJECTS, WINDOW } from './subjects.mjs';

const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const log = (line) => console.log(line);

let options;
try {
  options = parseOptions(process.argv.slice(2), process.env);
} catch (error) {
  console.error(error.message);
  process.exit(2);
}
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}
const unknown = options.names.filter((name) => !GROUPS.includes(name) && !SUBJECTS.some((s) => s.id === name));
if (unknown.length > 0) {
  const ids = SUBJECTS.map((s) => s.id).join(', ');
  console.error(`bench: unknown ${unknown.join(', ')}. Groups: ${GROUPS.join(', ')}. Subjects: ${ids}.`);
  process.exit(2);
}
requireFreshBuild();

const named = options.names.length > 0;
const wanted = (group) => !named || options.names.includes(group);
const chosen = (s) => options.names.includes(s.group) || options.names.includes(s.id);
const selected = SUBJECTS.filter((s) => (named ? chosen(s) : options.all || !s.optional));
const runMicro = wanted(MICRO);
const runWindow = wanted(WINDOW);
/** Seconds of load the run will take (servers' start-up, probes, signing and the micro-benchmark on top). */
const loadSeconds = selected.length * (options.warmup + options.rounds * options.duration);

const started = performance.now();
const material = await createMaterial();
const redis = selected.some((s) => s.store === 'redis') || runWindow ? await startRedis() : undefined;
const env = environment(redis?.version);
const parts = [`${selected.length} subjects`, runMicro && 'check() in process', runWindow && 'Redis window memory'];
log(
  `aap-guard bench: ${parts.filter(Boolean).join(' + ')}; ${options.rounds} rounds of ${options.duration} s, ` +
    `warm-up ${options.warmup} s, ${options.connections} connections; ${env.cpu}, ${env.cores} cores, ` +
    `Node ${env.node}, load average ${env.load[0].toFixed(2)}`,
);
log(`  about ${Math.ceil((loadSeconds * 1.25 + 20) / 60)} min (${Math.round(loadSeconds)} s of load)`);

let micro;
let window;
let loader;
try {
  if (runMicro) {
    log('check: guard.check() in process');
    const child = spawnChild(here('./micro.mjs'));
    micro = await child.call('run', { seconds: options.microSeconds, rounds: options.rounds });
    await child.stop();
    for (const [name, { median }] of Object.entries(micro)) {
      log(`  ${name.padEnd(12)} ${median.toFixed(2)} µs per call`);
    }
  }
  loader = spawnChild(here('./load.mjs'));
  const rounds = createRounds({ loader, options, material, redis, log });
  if (options.profile) mkdirSync(here('./profiles'), { recursive: true });
  for (const group of GROUPS) {
    const members = selected.filter((s) => s.group === group);
    if (members.length === 0) continue;
    log(`${group}:`);
    await rounds.measureGroup(group, members);
  }
  if (runWindow) window = await measureWindow();
} finally {
  await loader?.stop();
  await redis?.stop();
}

/** Redis MEMORY USAGE of one sliding minute after SPREAD requests, at each of LIMITS (lib/window-memory.mjs). */
async function measureWindow() {
  log(`${WINDOW}: one rate-limit window in Redis after ${SPREAD} requests over a minute`);
  const client = new Redis({ host: redis.host, port: redis.port, lazyConnect: true });
  await client.connect();
  try {
    const out = {};
    for (const limit of LIMITS) {
      out[limit] = await redisWindow(client, SPREAD, limit);
      const { bytes, fields, encoding } = out[limit];
      log(`  limit ${limit.toLocaleString('en-US')}/minute: ${bytes} bytes (${fields} hash fields, ${encoding})`);
    }
    return out;
  } finally {
    client.disconnect();
  }
}

const seconds = (performance.now() - started) / 1000;
const runs = Object.fromEntries(selected.map((s) => [s.id, s.runs]));
const labels = Object.fromEntries(SUBJECTS.map((s) => [s.id, s.label]));
const data = { runs, micro, window, labels };
const goals = evaluate(GOALS, data);
const ADDED_TITLE = 'Server CPU per request added over a floor (µs; server + redis-server for Redis)';
const added = evaluate([{ title: ADDED_TITLE, lines: ADDED }], data);
const others = evaluate([{ title: 'Peers and other ratios', lines: OTHERS }], data);

const loadAfter = loadavg();
const warnings = warningsOf({ subjects: selected, env, loadAfter });
log(
  `\nGoals (issue 26) — medians over ${options.rounds} interleaved rounds; range: lowest … highest round; ` +
    `CI: 95% confidence interval of the median (from 6 rounds)${consoleReport(goals)}`,
);
log(consoleReport([...added, ...others]));
for (const warning of warnings) log(`warning: ${warning}`);
log(`\n${selected.length} subjects in ${(seconds / 60).toFixed(1)} min.`);

const settings = describeSettings(options);
const report = {
  env,
  options,
  settings,
  goals,
  added,
  others,
  subjects: selected,
  micro,
  note: options.note,
  warnings,
  loadAfter,
  seconds,
};
const full = !named && !options.quick;
if (options.out) {
  writeFileSync(options.out, `# Benchmark results\n\n${markdown(report)}`);
  log(`written: ${options.out}`);
} else if (full) {
  const file = here('./RESULTS.md');
  writeFileSync(file, addToHistory(existsSync(file) ? readFileSync(file, 'utf8') : '', markdown(report)));
  log(`added to ${file}`);
}
if (options.json) {
  const subjects = selected.map((s) => ({ id: s.id, label: s.label, group: s.group, store: s.store, runs: s.runs }));
  const figures = { env, options, goals, added, others, subjects, micro, window, warnings, seconds };
  writeFileSync(options.json, `${JSON.stringify(figures, null, 2)}\n`);
  log(`written: ${options.json}`);
}
