// From the measured rounds to the reported lines (bench/goals.mjs): per line, the figure of every
// round, its summary (median, range, IQR, 95% CI of the median) and, where the line has a goal, the
// verdict. Lines whose subjects were not measured in this run are left out.
import { paired, summary } from './stats.mjs';

const rates = (runs) => runs.map((run) => run.rate);
/** Server CPU µs per request, round by round (plus redis-server's for a Redis subject). */
const cpu = (runs) => runs.map((run) => run.cpuPerRequest);

/** The ratio lines of `def`: throughput, and requests per CPU-second (server, plus redis-server for Redis). */
function ratio(def, runs, labels) {
  const [num, den] = [runs[def.num], runs[def.den]];
  if (!num?.length || !den?.length) return [];
  const label = def.label ?? `${labels[def.num]} / ${labels[def.den]}`;
  const goal = def.min === undefined ? undefined : { min: def.min };
  return [
    { label, measure: 'throughput', unit: 'ratio', goal, values: paired(rates(num), rates(den), (a, b) => a / b) },
    { label, measure: 'per server CPU', unit: 'ratio', goal, values: paired(cpu(num), cpu(den), (a, b) => b / a) },
  ];
}

function line(def, { runs, micro, window, labels }) {
  const goal = def.max === undefined ? undefined : { max: def.max };
  switch (def.kind) {
    case 'ratio':
      return ratio(def, runs, labels);
    case 'added': {
      const [num, den] = [runs[def.num], runs[def.den]];
      if (!num?.length || !den?.length) return [];
      const values = paired(cpu(num), cpu(den), (a, b) => a - b);
      const floor = summary(cpu(den)).median;
      return [{ label: def.label, measure: 'server CPU added', unit: 'µs+', goal, values, floor }];
    }
    case 'cpu': {
      const subject = runs[def.subject];
      return subject?.length ? [{ label: def.label, measure: 'server CPU', unit: 'µs', values: cpu(subject) }] : [];
    }
    case 'window': {
      if (!window) return [];
      const [low, high] = [window[10_000], window[100_000_000]];
      const values = def.growth ? [high.bytes - low.bytes] : [window[def.limit].bytes];
      const detail = def.growth ? undefined : `${window[def.limit].fields} hash fields, ${window[def.limit].encoding}`;
      return [{ label: def.label, measure: 'Redis MEMORY USAGE', unit: 'bytes', goal, values, detail }];
    }
    case 'micro': {
      const figure = micro?.[def.micro];
      return figure ? [{ label: def.label, measure: 'in process', unit: 'µs', goal, values: figure.rounds }] : [];
    }
    default:
      throw new Error(`bench: unknown line kind ${def.kind}`);
  }
}

/** met / NOT met by the median; flagged when the 95% CI (or, below 6 rounds, the range) straddles the goal. */
function judge(stats, goal) {
  if (!goal) return undefined;
  const met = goal.min !== undefined ? stats.median >= goal.min : stats.median <= goal.max;
  const [low, high] = stats.ci ?? stats.range;
  const straddles = goal.min !== undefined ? low < goal.min && high >= goal.min : low <= goal.max && high > goal.max;
  if (!straddles || stats.values.length < 2) return { met, text: met ? 'met' : 'NOT met' };
  return { met, text: `${met ? 'met' : 'NOT met'} (${stats.ci ? '95% CI' : 'rounds'} on both sides)` };
}

/**
 * Evaluate sections of line definitions: `[{ title, lines: [{ label, measure, unit, goal, values,
 * stats, verdict, floor?, detail? }] }]`. `data`: `{ runs: { id: rounds }, micro, window, labels }`.
 */
export function evaluate(sections, data) {
  return sections
    .map(({ title, lines }) => ({
      title,
      lines: lines
        .flatMap((def) => line(def, data))
        .map((l) => {
          const stats = summary(l.values);
          return { ...l, stats, verdict: judge(stats, l.goal) };
        }),
    }))
    .filter((section) => section.lines.length > 0);
}
