// The bench's knobs: a flag wins over its environment variable, which wins over the default (or the
// `--quick` default). Documented in bench/README.md.

const KNOBS = {
  rounds: { env: 'BENCH_ROUNDS', fallback: 10, quick: 2, integer: true, what: 'interleaved rounds per subject' },
  duration: { env: 'BENCH_DURATION', fallback: 2, quick: 0.5, what: 's of load per subject and round' },
  warmup: { env: 'BENCH_WARMUP', fallback: 2, quick: 0.5, what: 's of load per subject before the rounds' },
  connections: {
    env: 'BENCH_CONNECTIONS',
    fallback: 32,
    quick: 32,
    integer: true,
    what: 'keep-alive connections of the load generator',
  },
  'micro-seconds': {
    env: 'BENCH_MICRO_SECONDS',
    fallback: 0.5,
    quick: 0.1,
    what: 's per variant and round of the check() micro-benchmark',
  },
};
const FILES = { out: 'BENCH_OUT', json: 'BENCH_JSON', note: 'BENCH_NOTE' };
const SWITCHES = { quick: 'BENCH_QUICK', all: 'BENCH_ALL', profile: 'BENCH_PROFILE' };

export const USAGE = [
  'usage: node bench/run.mjs [--quick] [--all] [--rounds N] [--duration S] [--warmup S] [--connections N]',
  '                          [--micro-seconds S] [--profile] [--out FILE] [--json FILE] [--note TEXT]',
  '                          [group | subject …]',
  ...Object.entries(KNOBS).map(
    ([name, k]) => `  --${name.padEnd(14)} ${k.env.padEnd(20)} ${k.what} (default ${k.fallback}, --quick ${k.quick})`,
  ),
  '  --quick          BENCH_QUICK=1        a smoke run (~1 min): the --quick defaults above; writes no RESULTS.md',
  '  --all            BENCH_ALL=1          also the optional subjects (Redis stores under the frameworks)',
  "  --profile        BENCH_PROFILE=1      V8 CPU profiles of the servers' measured rounds, in bench/profiles/",
  '  --out FILE       BENCH_OUT            write the report there (a full run adds it to bench/RESULTS.md otherwise)',
  '  --json FILE      BENCH_JSON           every figure, per round, as JSON',
  '  --note TEXT      BENCH_NOTE           a line for the report (the machine, what changed)',
].join('\n');

/**
 * Parse `argv` (after the script) and `env`:
 * `{ names, rounds, duration, warmup, connections, microSeconds, quick, all, profile, out, json, note }`.
 */
export function parseOptions(argv, env) {
  const flags = {};
  const names = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      names.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (name === 'help') return { help: true };
    if (name in SWITCHES) flags[name] = inline === undefined ? true : inline !== '0';
    else if (name in KNOBS || name in FILES) flags[name] = inline ?? argv[++i];
    else throw new TypeError(`bench: unknown flag --${name}\n${USAGE}`);
  }
  const options = { names };
  for (const [name, variable] of Object.entries(SWITCHES)) options[name] = flags[name] ?? env[variable] === '1';
  for (const [name, variable] of Object.entries(FILES)) options[name] = flags[name] ?? (env[variable] || undefined);
  for (const [name, knob] of Object.entries(KNOBS)) {
    const given = flags[name] ?? (env[knob.env] === undefined || env[knob.env] === '' ? undefined : env[knob.env]);
    const value = given === undefined ? (options.quick ? knob.quick : knob.fallback) : Number(given);
    if (!(value > 0) || (knob.integer && !Number.isInteger(value))) {
      const kind = knob.integer ? 'integer' : 'number';
      throw new TypeError(`bench: --${name} (${knob.env}) must be a positive ${kind}, not ${given}`);
    }
    options[name.replace(/-(\w)/g, (_, c) => c.toUpperCase())] = value;
  }
  return options;
}
