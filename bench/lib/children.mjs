// Child processes of the benchmark (servers, the load generator, the in-process micro-benchmark),
// driven over Node's IPC channel with a tiny request/response protocol.
import { fork } from 'node:child_process';

const live = new Set();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL'); // never leave a server behind, even on a crash
});

/**
 * Fork `file` and return `{ call(type, payload), stop(), pid }`: `call` resolves with the child's
 * answer (see `answer()`); `stop` asks the child to exit cleanly (so `--cpu-prof` can write its profile).
 */
export function spawnChild(file, { execArgv = [], env } = {}) {
  const child = fork(file, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv, env: env ?? process.env });
  live.add(child);
  let next = 0;
  const pending = new Map();
  child.on('message', ({ id, result, error }) => {
    const waiter = pending.get(id);
    pending.delete(id);
    if (error) waiter?.reject(new Error(error));
    else waiter?.resolve(result);
  });
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      for (const waiter of pending.values()) waiter.reject(new Error(`${file} exited (${code ?? signal})`));
      pending.clear();
      resolve();
    });
  });
  const call = (type, payload) =>
    new Promise((resolve, reject) => {
      const id = ++next;
      pending.set(id, { resolve, reject });
      child.send({ id, type, payload });
    });
  const stop = async () => {
    if (!live.has(child)) return;
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    call('stop').catch(() => undefined);
    await exited;
    clearTimeout(timer);
  };
  return { call, stop, pid: child.pid };
}

/** In a child: answer the parent's calls with `handlers[type](payload)`; `stop` exits. */
export function answer(handlers) {
  process.on('message', async ({ id, type, payload }) => {
    if (type === 'stop') {
      await handlers.stop?.();
      process.exit(0);
    }
    try {
      const result = await handlers[type](payload);
      process.send({ id, result });
    } catch (error) {
      process.send({ id, error: error?.stack ?? String(error) });
    }
  });
  process.once('disconnect', () => process.exit(0)); // the parent is gone
}
