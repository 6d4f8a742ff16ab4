import type { HiddenFields, HoldPreview, HoldPreviewOmission } from '../../base/stores/holds.js';
import { escapeControls } from './escape-controls.js';

/** `oversight.preview` after validation. */
export interface PreviewSettings {
  /** Most bytes of UTF-8 text kept. */
  readonly maxBytes: number;
  /** Field names redacted in JSON and form bodies, lower-case (the built-in ones and the configured ones). */
  readonly names: ReadonlySet<string>;
  /** The configured `redact` function, applied after the built-in redaction. */
  readonly transform: ((text: string, contentType: string | undefined) => string) | undefined;
}

/** Field names whose values a preview never shows (compared case-insensitively). */
export const REDACTED_FIELDS: readonly string[] = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'client_secret',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'api_key',
  'apikey',
  'authorization',
  'cookie',
  'private_key',
  'card_number',
  'cvv',
  'cvc',
  'pin',
  'otp',
];

const REDACTED = '[redacted]';
const CUT = '[access token]';

/** Distinct names of hidden form fields listed at most, and characters of each name kept. */
const MAX_NAMES = 50;
const MAX_NAME = 64;

/**
 * The preview a hold keeps of its request's body: decoded as UTF-8 (text, JSON and form media types), with
 * the values of sensitive fields replaced (JSON at any depth, form fields), every occurrence of the
 * presented credentials (`secrets`: the access token, DPoP proofs) cut out, then the `redact` function,
 * then invisible characters escaped, then cut at `maxBytes` on a character boundary. A form is one
 * `name=value` line per field, each name and value escaped (`\n`), so one field never reads as several.
 * A cut preview says how many bytes it hides and, for a form, names the fields past the cut. A body
 * that cannot be redacted with certainty (JSON that does not parse, bytes that are not UTF-8, a
 * `redact` that throws) keeps no text: fail closed.
 *
 * @example
 * holdPreview(Buffer.from('{"title":"Q3","password":"x"}'), 'application/json', settings, [token])
 * // { contentType: 'application/json', bytes: 29, text: '{\n  "title": "Q3",\n  "password": "[redacted]"\n}',
 * // truncated: false }
 */
export function holdPreview(
  content: Uint8Array | undefined,
  contentTypeHeader: unknown,
  settings: PreviewSettings,
  secrets: readonly string[],
): HoldPreview {
  const contentType = mediaType(contentTypeHeader);
  if (!content) return { contentType, omitted: 'unavailable' };
  const base = { contentType, bytes: content.byteLength };
  const text = redacted(content, contentType, settings, secrets);
  if (typeof text !== 'string') return { ...base, omitted: text.omitted };
  return { ...base, ...cut(escapeControls(text, 'layout'), settings.maxBytes, kindOf(contentType) === 'form') };
}

/** At most `maxBytes` of UTF-8 (never splitting a character), and what the cut hides. */
function cut(text: string, maxBytes: number, form: boolean): HoldPreview {
  const { read, written } = new TextEncoder().encodeInto(text, new Uint8Array(maxBytes));
  if (read >= text.length) return { text, truncated: false };
  const hiddenBytes = Buffer.byteLength(text) - written;
  const fields = form ? { hiddenFields: hiddenFields(text, read) } : {};
  return { text: text.slice(0, read), truncated: true, hiddenBytes, ...fields };
}

/**
 * The form fields (lines) at or past character `at`: an approver who reads the start of a form must
 * still learn that a `to=` or `amount=` follows, however much padding comes before it.
 */
function hiddenFields(text: string, at: number): HiddenFields {
  const partial = at > 0 && text[at - 1] !== '\n' && text[at] !== '\n';
  const start = partial ? text.lastIndexOf('\n', at - 1) + 1 : text[at] === '\n' ? at + 1 : at;
  let count = 0;
  const names = new Set<string>();
  for (let from = start; from <= text.length; count += 1) {
    const end = text.indexOf('\n', from);
    const line = text.slice(from, end < 0 ? text.length : end);
    names.add(nameOf(line));
    from = end < 0 ? text.length + 1 : end + 1;
  }
  return { count, distinct: names.size, names: [...names].slice(0, MAX_NAMES), partial };
}

/** A form line's name (its value starts at the first `=`: names have theirs escaped), cut at `MAX_NAME` characters. */
function nameOf(line: string): string {
  const eq = line.indexOf('=');
  const name = eq < 0 ? line : line.slice(0, eq);
  if (name.length <= MAX_NAME) return name;
  const chars = [...name.slice(0, MAX_NAME * 2)]; // a character is at most two UTF-16 units
  return chars.length > MAX_NAME || name.length > MAX_NAME * 2 ? `${chars.slice(0, MAX_NAME).join('')}…` : name;
}

function redacted(
  content: Uint8Array,
  type: string | undefined,
  settings: PreviewSettings,
  secrets: readonly string[],
): string | { omitted: HoldPreviewOmission } {
  const kind = kindOf(type);
  if (kind === 'binary') return { omitted: 'binary' };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    return { omitted: 'not_utf8' };
  }
  try {
    text =
      kind === 'json' ? redactJson(text, settings.names) : kind === 'form' ? redactForm(text, settings.names) : text;
  } catch {
    return { omitted: 'unparsable' }; // cannot tell which values to hide: show none
  }
  for (const secret of secrets) if (secret.length >= 8) text = text.split(secret).join(CUT);
  if (!settings.transform) return text;
  try {
    const out = settings.transform(text, type);
    return typeof out === 'string' ? out : { omitted: 'redact_failed' };
  } catch {
    return { omitted: 'redact_failed' };
  }
}

/** JSON pretty-printed, the values of named members replaced at any depth. Throws on invalid JSON. */
function redactJson(text: string, names: ReadonlySet<string>): string {
  const value: unknown = JSON.parse(text);
  return JSON.stringify(
    value,
    (key, member: unknown) => (key !== '' && names.has(key.toLowerCase()) ? REDACTED : member),
    2,
  );
}

/**
 * A form body as `name=value` lines (decoded), named fields' values replaced. Names and values are escaped
 * (`\n`, `\\`, `\u2028`…; a `=` in a name as `\u003d`): each line is exactly one field, split at its first `=`.
 */
function redactForm(text: string, names: ReadonlySet<string>): string {
  const lines: string[] = [];
  for (const [name, value] of new URLSearchParams(text)) {
    const shown = names.has(name.toLowerCase()) ? REDACTED : escapeControls(value, 'value');
    lines.push(`${escapeControls(name, 'value').replaceAll('=', '\\u003d')}=${shown}`);
  }
  return lines.join('\n');
}

function kindOf(type: string | undefined): 'json' | 'form' | 'text' | 'binary' {
  if (type === undefined) return 'text';
  if (type === 'application/json' || type.endsWith('+json')) return 'json';
  if (type === 'application/x-www-form-urlencoded') return 'form';
  if (type.startsWith('text/') || type === 'application/xml' || type.endsWith('+xml')) return 'text';
  return 'binary';
}

/** The media type of a Content-Type header, lower-case, without parameters (RFC 9110 §8.3.1). */
function mediaType(header: unknown): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (typeof value !== 'string') return undefined;
  const type = value.split(';')[0]?.trim().toLowerCase();
  return type ? type.slice(0, 100) : undefined;
}
