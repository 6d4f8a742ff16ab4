#!/usr/bin/env node
// Where a server's CPU time goes: `node bench/profile.mjs bench/profiles/express-guard.cpuprofile [top]`
// (profiles from `BENCH_PROFILE=1 npm run bench -- <group>`). Self time of the busiest functions and
// per package, as shares of the busy (non-idle) time of the measured rounds.
import { readFileSync } from 'node:fs';

const [file, top = '25'] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/profile.mjs <file.cpuprofile> [top]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
// The profiler's own start-up call (server.mjs `profileStart`) is charged the time until the first sample: left out.
const ignored = new Set();
const ignore = (node) => {
  ignored.add(node.id);
  for (const child of node.children ?? []) ignore(profile.nodes.find((n) => n.id === child));
};
profile.nodes.filter((node) => node.callFrame.functionName === 'profileStart').forEach(ignore);
const selfTime = new Map();
profile.samples.forEach((id, i) => {
  if (!ignored.has(id)) selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});

/** The package a frame belongs to: an aap-guard package, a dependency, Node itself, or V8/native. */
function owner({ url, functionName }) {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node (internals)';
  const pkg = /\/packages\/([^/]+)\/dist\//.exec(url);
  if (pkg) return `@aap-guard/${pkg[1]}`;
  const dep = /.*node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  return dep ? dep[1] : url.replace(/^file:\/\/.*\/bench\//, 'bench/');
}
const where = ({ url, lineNumber }) => `${owner({ url, functionName: '' })}${url ? `:${lineNumber + 1}` : ''}`;

const byFunction = new Map();
const byOwner = new Map();
let busy = 0;
for (const [id, time] of selfTime) {
  const frame = nodes.get(id);
  if (frame.functionName === '(idle)') continue;
  busy += time;
  const name = `${frame.functionName || '(anonymous)'}  ${where(frame)}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + time);
  byOwner.set(owner(frame), (byOwner.get(owner(frame)) ?? 0) + time);
}
const print = (title, map, count) => {
  console.log(title);
  for (const [name, time] of [...map].sort((a, b) => b[1] - a[1]).slice(0, count))
    console.log(`${((time / busy) * 100).toFixed(1).padStart(6)}%  ${name}`);
};
console.log(`${file}: ${(busy / 1e6).toFixed(2)} s busy (idle left out)`);
print('\nby package:', byOwner, 20);
print('\nby function (self time):', byFunction, Number(top));
