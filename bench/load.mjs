// Child process: the load generator (autocannon, driven programmatically), never in a server's process.
// `run()` sends GETs over `connections` keep-alive connections for `seconds` (or exactly `amount` of
// them) and measures the 2xx rate from the first request to the last response. A DPoP run sends
// `amount` requests: it first signs a pool of that many fresh proofs (untimed), then sends each exactly
// once. The first non-2xx response stops the run.
import autocannon from 'autocannon';
import { importJWK } from 'jose';
import { answer } from './lib/children.mjs';
import { dist } from './lib/dist.mjs';

const { dpopProof } = await import(dist('testing').href);

/** `count` proofs for GET `url`, bound to `token`, signed with the private JWK `jwk`. */
async function proofPool({ privateJwk, publicJwk, token }, url, count) {
  const key = { alg: 'ES256', privateKey: await importJWK(privateJwk, 'ES256'), publicJwk };
  const pool = [];
  while (pool.length < count) {
    const batch = Math.min(500, count - pool.length);
    pool.push(...(await Promise.all(Array.from({ length: batch }, () => dpopProof({ key, method: 'GET', url, accessToken: token })))));
  }
  return pool;
}

async function run({ port, path, headers, seconds: duration, amount, connections, dpop }) {
  const url = `http://127.0.0.1:${port}${path}`;
  // autocannon builds one request per connection up front, before sending: the pool covers those too.
  const pool = dpop ? await proofPool(dpop, url, amount + 2 * connections + 16) : undefined;
  let used = 0;
  const request = { method: 'GET', path, headers };
  if (pool) {
    request.setupRequest = (req) => {
      req.headers.dpop = pool[Math.min(used, pool.length - 1)]; // past the end: a replay, refused and reported
      used += 1;
      return req;
    };
  }
  const failures = {};
  let responses = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  let last = started;
  const instance = autocannon({ url, connections, ...(amount ? { amount } : { duration }), pipelining: 1, sampleInt: 100, timeout: 10, requests: [request] });
  instance.on('response', (_client, status) => {
    last = performance.now();
    responses += 1;
    if (status < 200 || status > 299) {
      failures[status] = (failures[status] ?? 0) + 1;
      instance.stop();
    }
  });
  const result = await instance;
  const seconds = (last - started) / 1000;
  const spent = process.cpuUsage(cpu);
  return {
    responses,
    seconds,
    rate: result['2xx'] / seconds,
    failures,
    errors: result.errors,
    timeouts: result.timeouts,
    exhausted: pool !== undefined && used > pool.length,
    latency: { p50: result.latency.p50, p99: result.latency.p99 },
    loaderCpu: (spent.user + spent.system) / 1000 / (last - started),
  };
}

answer({ run });
