/**
 * Characters a person cannot see for what they are: controls (C0, DEL, C1 — `\n`, `\r`, NEL among them),
 * format characters (bidi overrides and isolates, zero-width ones, the BOM), and the line and paragraph
 * separators. Any of them can make one value look like several lines, or like other text.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;
/** The same, and the backslash that starts an escape (so that a literal `\n` stays distinguishable). */
const INVISIBLE_OR_BACKSLASH = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\\]/gu;
/** What `JSON.stringify` writes for these (RFC 8259 §7); everything else as `\uXXXX` per UTF-16 unit. */
const SHORT: Readonly<Record<string, string>> = {
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
  '\\': '\\\\',
};
/** Kept by `layout` mode: the line structure of a text, and of pretty-printed JSON. */
const LAYOUT = new Set(['\n', '\r', '\t']);

/**
 * Show invisible characters as visible escapes, the way `JSON.stringify` escapes a string (`\n`, `\t`,
 * `\u202e`), so that an approver reads a value as what it is.
 * - `value` (a form field's name or value): every such character, and the backslash, is escaped — a value
 *   is always one line, however many line breaks it carries.
 * - `layout` (a text body, pretty-printed JSON): tabs and line breaks stay (they are the text's own lines;
 *   JSON has escaped those inside its strings already), every other one is escaped.
 *
 * @example
 * escapeControls('vendor\namount=10', 'value')  // 'vendor\\namount=10' (one line)
 * escapeControls('{\n  "a": "b\u2028c"\n}', 'layout') // '{\n  "a": "b\\u2028c"\n}'
 */
export function escapeControls(text: string, mode: 'value' | 'layout'): string {
  if (mode === 'value') return text.replace(INVISIBLE_OR_BACKSLASH, escaped);
  return text.replace(INVISIBLE, (char) => (LAYOUT.has(char) ? char : escaped(char)));
}

function escaped(char: string): string {
  const short = SHORT[char];
  if (short !== undefined) return short;
  let out = '';
  for (let i = 0; i < char.length; i++) out += `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}
