import type { HoldPreview, HoldPreviewOmission } from '../stores/holds.js';

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
  'password', 'passwd', 'passphrase', 'secret', 'client_secret', 'token', 'access_token', 'refresh_token', 'id_token',
  'api_key', 'apikey', 'authorization', 'cookie', 'private_key', 'card_number', 'cvv', 'cvc', 'pin', 'otp',
];

const REDACTED = '[redacted]';
const CUT = '[access token]';

/**
 * The preview a hold keeps of its request's body: decoded as UTF-8 (text, JSON and form media types), with
 * the values of sensitive fields replaced (JSON at any depth, form fields), every occurrence of the
 * presented credentials (`secrets`: the access token, DPoP proofs) cut out, then the `redact` function,
 * then cut at `maxBytes` on a character boundary. A body that cannot be redacted with certainty (JSON
 * that does not parse, bytes that are not UTF-8, a `redact` that throws) keeps no text: fail closed.
 *
 * @example
 * holdPreview(Buffer.from('{"title":"Q3","password":"x"}'), 'application/json', settings, [token])
 * // { contentType: 'application/json', bytes: 29, text: '{\n  "title": "Q3",\n  "password": "[redacted]"\n}', truncated: false }
 */
export function holdPreview(content: Uint8Array | undefined, contentTypeHeader: unknown, settings: PreviewSettings, secrets: readonly string[]): HoldPreview {
  const contentType = mediaType(contentTypeHeader);
  if (!content) return { contentType, omitted: 'unavailable' };
  const base = { contentType, bytes: content.byteLength };
  const text = redacted(content, contentType, settings, secrets);
  if (typeof text !== 'string') return { ...base, omitted: text.omitted };
  const room = new Uint8Array(settings.maxBytes);
  const { read } = new TextEncoder().encodeInto(text, room); // never splits a character
  return { ...base, text: text.slice(0, read), truncated: read < text.length };
}

function redacted(content: Uint8Array, type: string | undefined, settings: PreviewSettings, secrets: readonly string[]): string | { omitted: HoldPreviewOmission } {
  const kind = kindOf(type);
  if (kind === 'binary') return { omitted: 'binary' };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    return { omitted: 'not_utf8' };
  }
  try {
    text = kind === 'json' ? redactJson(text, settings.names) : kind === 'form' ? redactForm(text, settings.names) : text;
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
  return JSON.stringify(value, (key, member: unknown) => (key !== '' && names.has(key.toLowerCase()) ? REDACTED : member), 2);
}

/** A form body as `name=value` lines (decoded), named fields' values replaced. */
function redactForm(text: string, names: ReadonlySet<string>): string {
  const lines: string[] = [];
  for (const [name, value] of new URLSearchParams(text)) lines.push(`${name}=${names.has(name.toLowerCase()) ? REDACTED : value}`);
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
