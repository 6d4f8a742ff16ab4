/**
 * HTML by construction: every value interpolated into `html\`…\`` is escaped unless it is itself `Html`
 * (the output of another `html\`…\``). Agent ids, operators, task purposes, paths, notes and previews come
 * from tokens and requests — attacker-controlled — so nothing reaches a page unescaped by accident.
 */

/** A fragment of HTML that is safe to insert as is (built by `html`). */
export class Html {
  /** @internal */
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escape text for HTML content and (quoted) attribute values.
 *
 * @example
 * escapeHtml('<script>alert(1)</script>') // '&lt;script&gt;alert(1)&lt;/script&gt;'
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] as string);
}

/**
 * A template tag: literal parts are trusted markup, interpolations are escaped text — except `Html`
 * fragments and arrays of them; `undefined`, `null` and `false` render nothing.
 *
 * @example
 * html`<td>${hold.agent.id}</td>` // agent id '<b>' → '<td>&lt;b&gt;</td>'
 */
export function html(strings: TemplateStringsArray, ...values: readonly unknown[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new Html(out);
}

function render(value: unknown): string {
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}
