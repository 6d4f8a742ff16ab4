// Shared by the HTTP benchmarks (not a test): a loopback server and a keep-alive load generator.
import { createServer, Agent, request } from 'node:http';

/** Serve a node:http `handler` (a function, or an Express app) on a free loopback port. */
export async function listen(handler) {
  const server = createServer(handler);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: server.address().port, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** One GET to `port` on loopback (a fresh connection): its status and headers. */
export function probe(port, headers = {}, path = '/v1/search?q=x') {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      res.resume().on('end', () => resolve({ status: res.statusCode, headers: res.headers }));
    }).on('error', reject).end();
  });
}

/**
 * Drive `port` with `concurrency` keep-alive clients sending GET `path` with `headers`: `warmup`
 * requests (default min(2000, requests)), then `requests` timed requests; returns req/s of the timed part. Every response
 * must be 2xx: any other status is counted and the run then throws, naming the statuses seen.
 */
export async function load(port, { requests, concurrency, warmup = Math.min(2000, requests), headers = {}, path = '/v1/search?q=x' }) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const failures = new Map(); // status → count
  const one = () => new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, agent, headers }, (res) => {
      if (res.statusCode < 200 || res.statusCode > 299) failures.set(res.statusCode, (failures.get(res.statusCode) ?? 0) + 1);
      res.resume().on('end', resolve);
    }).on('error', reject).end();
  });
  const run = async (total) => {
    let next = 0;
    const client = async () => {
      while (next < total) {
        next += 1;
        await one();
      }
    };
    await Promise.all(Array.from({ length: concurrency }, client));
  };
  try {
    await run(warmup); // JIT, sockets, token and key caches
    const started = performance.now();
    await run(requests);
    const seconds = (performance.now() - started) / 1000;
    if (failures.size > 0) {
      const seen = [...failures].map(([status, count]) => `${count}× ${status}`).join(', ');
      throw new Error(`bench: responses that were not 2xx on port ${port}: ${seen}`);
    }
    return requests / seconds;
  } finally {
    agent.destroy();
  }
}
