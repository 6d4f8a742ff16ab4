// bench/RESULTS.md keeps every full run, newest first: a new run goes in right after the marker line,
// above the runs before it.

export const MARKER = '<!-- Runs, newest first: `npm run bench` adds each full run below this line. -->';
const HEAD = [
  '# Benchmark results',
  '',
  'The history of `npm run bench` (full runs, newest first). How the bench measures and how to read these',
  'tables: [bench/README.md](README.md).',
  '',
  MARKER,
].join('\n');

/** `text` (the current RESULTS.md, or '') with `section` added as the newest run. */
export function addToHistory(text, section) {
  const at = text.indexOf(MARKER);
  if (at < 0) return `${HEAD}\n\n${section.trimEnd()}\n\n${text.trim() ? `${text.trim()}\n` : ''}`;
  const head = text.slice(0, at + MARKER.length);
  const rest = text.slice(at + MARKER.length).trim();
  return `${head}\n\n${section.trimEnd()}\n${rest ? `\n${rest}\n` : ''}`;
}
