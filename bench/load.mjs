// Child process: the load generator (autocannon, driven programmatically), never in a server's process.
// `prepare()` signs a pool of one-use credentials (lib/token-pool.mjs) for the next run, untimed.
// `run()` sends GETs over `connections` keep-alive connections for `seconds` (or exactly `amount` of
// them) and measures the rate of expected responses from the first request sent to the last response
// received. A pooled run gives each request its own value from the pool, each used once; `variants`
// (header sets) are sent in turn on each connection. The first unexpected status stops the run.
import autocannon from 'autocannon';
import { answer } from './lib/children.mjs';
import { makePool } from './lib/token-pool.mjs';

let prepared;

async function prepare({ pool, url, count }) {
  prepared = await makePool(pool, url, count);
  return { count };
}

/** The request templates: one per variant; with a pool, each request takes the pool's next value. */
function requests({ path, headers, variants }, pool, used) {
  const list = (variants ?? [{}]).map((variant) => ({ method: 'GET', path, headers: { ...headers, ...variant } }));
  if (pool) {
    for (const request of list) {
      request.setupRequest = (req) => {
        // Past the end of the pool: a value sent again, reported as `exhausted` (and refused where it is a proof).
        req.headers[pool.header] = pool.values[Math.min(used.count, pool.values.length - 1)];
        used.count += 1;
        return req;
      };
    }
  }
  return list;
}

async function run({ port, path, headers, variants, seconds: duration, amount, connections, expect, pooled }) {
  const url = `http://127.0.0.1:${port}${path}`;
  const pool = pooled ? prepared : undefined;
  prepared = undefined;
  if (pooled && !pool) throw new Error('bench: a pooled run without a prepared pool');
  const used = { count: 0 };
  const expected = (status) => (expect ? expect.includes(status) : status >= 200 && status <= 299);
  const failures = {};
  let responses = 0;
  let ok = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  let last = started;
  const instance = autocannon({
    url,
    connections,
    ...(amount ? { amount } : { duration }),
    pipelining: 1,
    sampleInt: 100,
    timeout: 10,
    requests: requests({ path, headers, variants }, pool, used),
  });
  instance.on('response', (_client, status) => {
    last = performance.now();
    responses += 1;
    if (expected(status)) {
      ok += 1;
      return;
    }
    failures[status] = (failures[status] ?? 0) + 1;
    instance.stop();
  });
  const result = await instance;
  const seconds = (last - started) / 1000;
  const spent = process.cpuUsage(cpu);
  return {
    responses,
    seconds,
    rate: ok / seconds,
    failures,
    errors: result.errors,
    timeouts: result.timeouts,
    exhausted: pool !== undefined && used.count > pool.values.length,
    latency: { p50: result.latency.p50, p99: result.latency.p99 },
    loaderCpu: (spent.user + spent.system) / 1000 / (last - started),
  };
}

answer({ prepare, run });
