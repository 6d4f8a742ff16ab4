// The report of one run: the evaluated sections (lib/evaluate.mjs) and the subjects, as plain text for
// the console and as a Markdown section for bench/RESULTS.md. How to read it: bench/README.md.
import { summary } from './stats.mjs';

const FORMAT = {
  ratio: (v) => v.toFixed(2),
  'µs+': (v) => `${v < 0 ? '−' : '+'}${Math.abs(v).toFixed(1)}`,
  µs: (v) => v.toFixed(1),
  bytes: (v) => Math.round(v).toLocaleString('en-US'),
};
const UNIT = { ratio: '', 'µs+': ' µs', µs: ' µs', bytes: ' B' };
const MICRO = {
  constrained: 'cached Bearer token, domains + rate limit',
  plain: 'cached Bearer token, no constraints',
  dpop: 'cached DPoP-bound token + a fresh ES256 proof, domains + rate limit',
};

const figure = (line, value) => FORMAT[line.unit](value);
const interval = (line, pair) => (pair ? `${figure(line, pair[0])} … ${figure(line, pair[1])}` : '—');
/** Range and IQR mean something from two rounds on; the CI is there from six (lib/stats.mjs). */
const spreadOf = (line) => {
  const several = line.values.length > 1;
  const { range, iqr, ci } = line.stats;
  return several ? { range, iqr, ci } : { ci };
};
const goalText = (line) => {
  if (!line.goal) return '';
  return line.goal.min !== undefined ? `≥ ${line.goal.min.toFixed(2)}` : `≤ ${line.goal.max}${UNIT[line.unit]}`;
};
const measureText = (line) => {
  const floor = line.floor === undefined ? '' : ` (floor ${line.floor.toFixed(1)} µs)`;
  return `${line.measure}${floor}${line.detail ? ` (${line.detail})` : ''}`;
};
const rounds = (line) => line.values.map((v) => figure(line, v)).join(', ');

/** The sections as console text: a line per measure (under its label), its rounds on the next. */
export function consoleReport(sections) {
  const out = [];
  const width = Math.max(...sections.flatMap((s) => s.lines.map((l) => measureText(l).length)));
  for (const section of sections) {
    out.push('', section.title);
    let previous;
    for (const line of section.lines) {
      if (line.label !== previous) out.push(`  ${line.label}`);
      previous = line.label;
      const median = `${figure(line, line.stats.median)}${UNIT[line.unit]}`.padStart(12);
      const { range, iqr, ci } = spreadOf(line);
      const bounds = `  range ${interval(line, range)}  IQR ${interval(line, iqr)}  CI ${interval(line, ci)}`;
      const spread = range ? bounds : '';
      const verdict = line.goal ? `  goal ${goalText(line)}: ${line.verdict.text}` : '';
      out.push(`    ${measureText(line).padEnd(width)} ${median}${spread}${verdict}`);
      if (range) out.push(`    ${''.padEnd(width)}   rounds: ${rounds(line)}`);
    }
  }
  return out.join('\n');
}

/** One Markdown table per section. */
function sectionTables(sections, heading) {
  const lines = [];
  for (const section of sections) {
    lines.push(
      `${heading} ${section.title}`,
      '',
      '| line | measure | median | range (lowest … highest round) | IQR | 95% CI of the median | goal | | rounds |',
      '|---|---|---|---|---|---|---|---|---|',
    );
    for (const line of section.lines) {
      const { range, iqr, ci } = spreadOf(line);
      const median = `**${figure(line, line.stats.median)}${UNIT[line.unit]}**`;
      const cells = [line.label, measureText(line), median, interval(line, range), interval(line, iqr)];
      cells.push(interval(line, ci), goalText(line) || '—', line.verdict?.text ?? '', rounds(line));
      lines.push(`| ${cells.join(' | ')} |`);
    }
    lines.push('');
  }
  return lines;
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const us = (n) => n.toFixed(1);
const pct = (n) => `${Math.round(n * 100)}%`;
/** The median of `values` with the lowest and highest in brackets. */
const span = (values, f) => {
  const s = summary(values);
  return `${f(s.median)} (${f(s.range[0])}–${f(s.range[1])})`;
};
const medianOf = (runs, f) => summary(runs.map(f)).median;

/** The subjects table: medians with the range over the rounds. */
function subjectTable(subjects) {
  const lines = [
    '| subject | req/s | server CPU µs per request | of which redis-server | p50 / p99 latency (ms) | server CPU ' +
      '| load generator CPU |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const { label, id, store, runs } of subjects) {
    const cells = [
      `${label} (\`${id}\`)`,
      span(
        runs.map((r) => r.rate),
        fmt,
      ),
      span(
        runs.map((r) => r.cpuPerRequest),
        us,
      ),
      store === 'redis'
        ? span(
            runs.map((r) => r.redisUs),
            us,
          )
        : '—',
      `${medianOf(runs, (r) => r.latency.p50)} / ${medianOf(runs, (r) => r.latency.p99)}`,
      pct(medianOf(runs, (r) => r.serverShare)),
      pct(medianOf(runs, (r) => r.loaderCpu)),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines;
}

const loads = (values) => values.map((l) => l.toFixed(2)).join(' / ');

/** One run as a Markdown section of bench/RESULTS.md (its headings one level below the file's). */
export function markdown(report) {
  const { env, options, settings, goals, added, others, subjects, micro, note, warnings, loadAfter, seconds } = report;
  const lines = [
    `## ${env.date.slice(0, 16).replace('T', ' ')} UTC, commit ${env.commit}`,
    '',
    `\`npm run bench\`: ${options.rounds} interleaved rounds of ${options.duration} s per subject, ` +
      `${(seconds / 60).toFixed(1)} min in all; ${env.cpu}, ${env.cores} cores; load average ` +
      `${env.load[0].toFixed(2)} at the start, ${loadAfter[0].toFixed(2)} at the end.${note ? ` ${note}` : ''}`,
    '',
    ...warnings.flatMap((w) => [`> ${w}`, '']),
    '### Goals (issue 26)',
    '',
    ...sectionTables(goals, '####'),
    ...sectionTables(added, '###'),
    ...sectionTables(others, '###'),
    '### Subjects (median over the rounds, lowest–highest round in brackets)',
    '',
    ...subjectTable(subjects),
    '',
  ];
  if (micro) {
    lines.push('### `guard.check()` in process (µs per call)', '', '| variant | median | rounds |', '|---|---|---|');
    for (const [name, { median, rounds: r }] of Object.entries(micro)) {
      lines.push(`| ${MICRO[name] ?? name} | ${median.toFixed(2)} | ${r.map((x) => x.toFixed(2)).join(', ')} |`);
    }
    lines.push('');
  }
  const versions = Object.entries(env.versions)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  lines.push(
    '### Machine, versions and settings',
    '',
    `- CPU: ${env.cpu}, ${env.cores} cores; RAM ${env.ramGiB.toFixed(1)} GiB; load average at start ` +
      `${loads(env.load)}, at end ${loads(loadAfter)}`,
    `- Node ${env.node}; ${versions}`,
    ...settings.map((line) => `- ${line}`),
    '',
  );
  return lines.join('\n');
}

/** What the reader must know before trusting the figures: a load generator at its limit, a busy machine. */
export function warningsOf({ subjects, env, loadAfter }) {
  const warnings = [];
  for (const s of subjects.filter((x) => x.runs.some((r) => r.loaderCpu >= 0.9))) {
    warnings.push(
      `The load generator used 90% of a core or more on ${s.label} in some rounds: those rates may be the load ` +
        "generator's limit rather than the server's; read that subject's ratios per server CPU.",
    );
  }
  if (Math.max(env.load[0], loadAfter[0]) > env.cores * 0.75) {
    warnings.push(
      `Other processes were running: load average ${env.load[0].toFixed(1)} at the start, ` +
        `${loadAfter[0].toFixed(1)} at the end, on ${env.cores} cores. Rates are low and CPU times inflated: read ` +
        'the spread, and the ratios per server CPU beside throughput; measure the goals on a quiet machine.',
    );
  }
  return warnings;
}
