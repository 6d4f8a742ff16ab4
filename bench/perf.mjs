#!/usr/bin/env node
// `npm run bench:perf [-- subject …]` (default: http/bare http/guard fastify/bare fastify/guard): where a
// server's CPU time goes, per request, from a Linux `perf` profile of the whole server process under the
// bench's load — the kernel and V8's native code included, which V8's own profiler cannot see (it charges
// a descheduled thread's time to whatever JS was on top). Needs `perf` (Debian: `apt-get install
// linux-perf`) and permission to profile one's own processes (kernel.perf_event_paranoid ≤ 2).
//
// Each sample is charged to the nearest JS function on its stack that is not Node's own (native code,
// builtins, the kernel and Node's JS count for the code that called them), grouped by owner: the guard
// (@aap-guard packages), the framework (node_modules), the app (bench/lib/apps.mjs); Node when only
// Node's JS is on the stack (its HTTP parser, its event loop); GC (helper threads included, and a
// collection on the main thread whichever allocation triggered it); other native work with no JS above
// it. Beside that split: the kernel's send path (`writev` and everything under it) and, inside it,
// `pvm_irq_enable` (a paravirtualized guest re-enabling interrupts: on a VM, what waking an idle peer
// process costs).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnChild } from './lib/children.mjs';
import { dist, requireFreshBuild } from './lib/dist.mjs';
import { startRedis } from './lib/redis.mjs';
import { CAPABILITY, LIMIT, PATH, SUBJECTS } from './subjects.mjs';

requireFreshBuild();
if (spawnSync('perf', ['--version']).status !== 0) {
  console.error('bench:perf needs Linux perf (Debian: apt-get install linux-perf).');
  process.exit(2);
}
const SECONDS = Number(process.env.BENCH_DURATION || 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 32);
const FREQUENCY = 1999; // samples per second
/** V8's collector, on the main thread or its helpers. */
const GC =
  /Heap::CollectGarbage|Heap::PerformGarbageCollection|ScavengerCollector|Scavenger::|MinorGC|MarkCompact|Sweeper::|ConcurrentMarking|Heap::Scavenge|GCTracer|Evacuat/;
const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const ids = process.argv.slice(2);
const chosen = (ids.length ? ids : ['http/bare', 'http/guard', 'fastify/bare', 'fastify/guard']).map((id) => {
  const s = SUBJECTS.find((subject) => subject.id === id);
  if (!s || s.token !== 'bearer') {
    console.error(`bench:perf: ${id} is not a subject of bench/subjects.mjs that sends one cached Bearer token`);
    process.exit(2);
  }
  return s;
});

const { createIssuer } = await import(dist('testing').href);
const as = await createIssuer();
const headers = { authorization: `Bearer ${await as.mint({ ttl: 3600, capabilities: [CAPABILITY] })}` };
const scratch = mkdtempSync(join(tmpdir(), 'aap-bench-perf-'));
const redis = chosen.some((s) => s.store === 'redis') ? await startRedis() : undefined;
const loader = spawnChild(here('./load.mjs'));
const rows = [];
try {
  for (const s of chosen) rows.push({ id: s.id, ...(await profile(s)) });
} finally {
  await loader.stop();
  await redis?.stop();
  rmSync(scratch, { recursive: true, force: true });
}

const columns = ['total', 'guard', 'framework', 'node', 'app', 'gc', 'native', 'send', 'pvm_irq'];
console.log(`\nCPU µs per request (server process, all threads; ${SECONDS} s of load, ${CONNECTIONS} connections)\n`);
console.log(['subject'.padEnd(20), 'req/s'.padStart(7), ...columns.map((c) => c.padStart(9))].join(' '));
for (const row of rows) {
  console.log(
    [
      row.id.padEnd(20),
      String(Math.round(row.rate)).padStart(7),
      ...columns.map((c) => row.us[c].toFixed(1).padStart(9)),
    ].join(' '),
  );
}
console.log(
  "\nguard, framework, app: that code and what it called (Node's JS, builtins, the kernel); node: Node alone (parser, event loop); gc; native: no JS on the stack.",
);
console.log(
  'send: the kernel send path (writev and below), whoever called it; pvm_irq: inside it, the paravirtualized interrupt path.',
);

/** Profile one subject: its rate and CPU µs per request by owner. */
async function profile(s) {
  const server = spawnChild(here('./server.mjs'), {
    execArgv: ['--perf-basic-prof-only-functions', '--interpreted-frames-native-stack'],
  });
  try {
    const spec = {
      app: s.app,
      issuer: as.issuer,
      audience: as.audience,
      jwks: as.jwks,
      limit: LIMIT,
      store: s.store,
      redis: redis && { host: redis.host, port: redis.port },
      prefix: `perf:${s.id}:`,
      batch: s.batch,
    };
    const { port } = await server.call('start', spec);
    const load = (seconds) => loader.call('run', { port, path: PATH, headers, seconds, connections: CONNECTIONS });
    const failed = (run) => Object.keys(run.failures).length > 0 || run.errors > 0;
    if (failed(await load(2))) throw new Error(`bench:perf: ${s.id} refused the measured request`); // warm-up (JIT, caches)
    const data = join(scratch, `${s.id.replace('/', '-')}.data`);
    const recorder = spawn(
      'perf',
      [
        'record',
        '-q',
        '-F',
        String(FREQUENCY),
        '-g',
        '-p',
        String(server.pid),
        '-o',
        data,
        '--',
        'sleep',
        String(SECONDS),
      ],
      { stdio: 'ignore' },
    );
    const recorded = new Promise((resolve) => recorder.once('exit', resolve));
    const run = await load(SECONDS);
    await recorded;
    if (failed(run)) throw new Error(`bench:perf: ${s.id} answered non-2xx under load`);
    const ns = attribute(data);
    const requests = run.rate * SECONDS; // the recording spans the load run
    const us = Object.fromEntries(Object.entries(ns).map(([owner, value]) => [owner, value / 1000 / requests]));
    console.log(`${s.id}: ${Math.round(run.rate)} req/s, ${us.total.toFixed(1)} µs CPU per request`);
    return { rate: run.rate, us };
  } finally {
    await server.stop();
  }
}

/** CPU ns by owner from `perf script` (one sample: a header line with its period, then its stack, leaf first). */
function attribute(data) {
  const { stdout } = spawnSync('perf', ['script', '-i', data, '-F', 'tid,period,ip,sym,dso'], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  const ns = { total: 0, guard: 0, framework: 0, node: 0, app: 0, gc: 0, native: 0, send: 0, pvm_irq: 0 };
  for (const block of stdout.split('\n\n')) {
    const lines = block.split('\n').filter((line) => line.trim() !== '');
    if (lines.length === 0) continue;
    const period = Number(lines[0].trim().split(/\s+/)[1]);
    if (!(period > 0)) continue;
    const frames = lines.slice(1).map((line) => line.trim().replace(/^[0-9a-f]+ /, ''));
    ns.total += period;
    ns[ownerOf(frames)] += period;
    if (frames.some((frame) => /\b(__GI___)?writev\b/.test(frame))) ns.send += period;
    if (frames[0]?.startsWith('pvm_irq_enable')) ns.pvm_irq += period;
  }
  return ns;
}

/**
 * The owner of a sample: that of the nearest JS frame that is not Node's own (`JS:` frames of the perf
 * map), so Node's JS — a URL parse, a header getter, `res.end` — counts for the code that called it;
 * Node's own work (its HTTP parser, its event loop) when only Node's JS is on the stack; a collection is GC,
 * whichever allocation triggered it; else native.
 */
function ownerOf(frames) {
  // A collection runs on the stack of whichever allocation found the young generation full: GC, not that code.
  if (frames.some((frame) => GC.test(frame))) return 'gc';
  let node = false;
  for (const frame of frames) {
    if (!frame.startsWith('JS:')) continue;
    if (/ node:/.test(frame)) {
      node = true;
      continue;
    }
    if (/\/packages\/[^/]+\/dist\//.test(frame)) return 'guard';
    if (frame.includes('/node_modules/')) return 'framework';
    return 'app';
  }
  return node ? 'node' : 'native';
}
