// Measuring one group of subjects: start each server alone in its own process, probe it, warm it up,
// then interleaved rounds — every subject once per round, in the group's order on even rounds and in
// reverse on odd ones (A B C, C B A, …), so that drift and any effect of the previous subject hit all
// alike. A round of a subject is one load run; its server's CPU is read from /proc before and after.
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { spawnChild } from './children.mjs';
import { processCpu } from './proc.mjs';
import { LIMIT, PATH } from '../subjects.mjs';

const here = (file) => fileURLToPath(new URL(`../${file}`, import.meta.url));

/** One GET over a fresh connection: `{ status, headers }`. */
const get = (port) => (path, headers) =>
  new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      res.resume().on('end', () => resolve({ status: res.statusCode, headers: res.headers }));
    })
      .on('error', reject)
      .end();
  });

/** CPU µs of the server of `s` so far: from /proc, else (not Linux) asked of the server itself. */
const serverCpu = async (s) => processCpu(s.server.pid) ?? s.server.call('cpu');

const describe = (run) => {
  const statuses = Object.entries(run.failures).map(([status, count]) => `${count}× ${status}`);
  if (run.errors > 0) statuses.push(`${run.errors} errors (${run.timeouts} timeouts)`);
  if (run.exhausted) statuses.push('the pool of one-use credentials ran out');
  return statuses.join(', ');
};

/** `{ measureGroup(members) }` over the loader child `loader`, with the run's options and credentials. */
export function createRounds({ loader, options, material, redis, log }) {
  /**
   * One load run against `s` for about `seconds` (a pooled run: as many requests as the subject's last
   * rate gives in that time, each with its own credential); throws on any unexpected status or error.
   */
  async function measure(s, seconds) {
    const load = material.loadOf(s);
    const connections = options.connections;
    let amount;
    if (load.pool) {
      amount = Math.max(connections * 4, Math.round((s.estimate ?? 200) * seconds));
      // autocannon builds one request per connection up front, before sending: the pool covers those too.
      const url = `http://127.0.0.1:${s.port}${PATH}`;
      await loader.call('prepare', { pool: load.pool, url, count: amount + 2 * connections + 16 });
    }
    const redisBefore = s.store === 'redis' ? redis.cpu() : 0;
    const before = await serverCpu(s);
    const run = await loader.call('run', {
      port: s.port,
      path: PATH,
      headers: load.headers,
      variants: load.variants,
      seconds,
      amount,
      connections,
      expect: s.expect,
      pooled: Boolean(load.pool),
    });
    const after = await serverCpu(s);
    const redisSpent = s.store === 'redis' ? redis.cpu() - redisBefore : 0; // NaN where /proc is missing
    const problems = describe(run);
    if (problems) throw new Error(`bench: ${s.id} aborted: ${problems}`);
    s.estimate = run.rate;
    // CPU spent serving one request: the server's, plus redis-server's for a Redis-store subject.
    const serverUs = (after - before) / run.responses;
    const redisUs = redisSpent / run.responses;
    const serverShare = (after - before) / 1e6 / run.seconds; // of one core
    return { ...run, serverShare, serverUs, redisUs, cpuPerRequest: serverUs + redisUs };
  }

  async function start(s) {
    s.server = spawnChild(here('server.mjs'));
    const spec = {
      app: s.app,
      issuer: material.as.issuer,
      audience: material.as.audience,
      jwks: material.as.jwks,
      limit: LIMIT,
      store: s.store,
      redis: redis && { host: redis.host, port: redis.port },
      prefix: `bench:${s.id}:`,
      batch: s.batch,
      floods: s.token === 'forged' || s.token === 'garbage',
    };
    ({ port: s.port } = await s.server.call('start', spec));
    for (const probe of s.probes) {
      try {
        await probe(material.probeContext(s, s.port, get(s.port)));
      } catch (error) {
        throw new Error(`bench: ${s.id} (${probe.probeName}): ${error.message}`);
      }
    }
    log(`  ${s.id}: probed (${s.probes.map((p) => p.probeName).join(', ')})`);
  }

  const line = (s, round, run) => {
    const pct = (share) => `${Math.round(share * 100)}%`;
    const rate = `${Math.round(run.rate).toString().padStart(6)} req/s in ${run.seconds.toFixed(1)} s`;
    const redisPart = s.store === 'redis' ? ` (redis-server ${run.redisUs.toFixed(1)})` : '';
    const cpu = `${run.cpuPerRequest.toFixed(1)} µs CPU per request${redisPart}`;
    const shares = `server CPU ${pct(run.serverShare)}, load generator CPU ${pct(run.loaderCpu)}`;
    return `  ${s.id.padEnd(20)} round ${String(round).padStart(2)}: ${rate}, ${cpu}, ${shares}`;
  };

  /** Start, probe, warm up and measure `members` (one group) in interleaved rounds; `s.runs` gets the rounds. */
  async function measureGroup(group, members) {
    try {
      for (const s of members) {
        s.runs = [];
        await start(s);
      }
      for (const s of members) {
        if (material.loadOf(s).pool) await measure(s, Math.min(0.5, options.warmup)); // sizes the warm-up's pool
        await measure(s, options.warmup);
      }
      if (options.profile) await Promise.all(members.map((s) => s.server.call('profileStart')));
      for (let round = 1; round <= options.rounds; round += 1) {
        const order = round % 2 === 1 ? members : [...members].reverse();
        for (const s of order) {
          const run = await measure(s, options.duration);
          s.runs.push(run);
          log(line(s, round, run));
        }
      }
      if (options.profile) {
        const file = (s) => here(`profiles/${s.id.replace('/', '-')}.cpuprofile`);
        await Promise.all(members.map((s) => s.server.call('profileStop', file(s))));
        log(`  CPU profiles of the rounds: bench/profiles/${group}-*.cpuprofile`);
      }
    } finally {
      await Promise.all(members.map((s) => s.server?.stop()));
    }
  }
  return { measureGroup };
}
