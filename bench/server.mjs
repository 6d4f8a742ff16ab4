// Child process: one server under test (bench/lib/apps.mjs), alone in its process. Started by
// bench/run.mjs; answers `start(spec)` with its port, `cpu()` with its CPU time so far (µs), and
// `profileStart()` / `profileStop(file)` with a V8 CPU profile of the measured rounds only.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { answer } from './lib/children.mjs';
import { startApp } from './lib/apps.mjs';

let app;
let session;
answer({
  async start(spec) {
    app = await startApp(spec);
    return { port: app.port };
  },
  cpu: () => {
    const { user, system } = process.cpuUsage();
    return user + system;
  },
  async profileStart() {
    session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  },
  async profileStop(file) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  },
  stop: () => app?.close(),
});
