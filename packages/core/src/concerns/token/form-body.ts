import type { BodyContentResult, RequestInfo } from '../../base/types/request.js';
import type { Awaitable } from '../../base/util/awaitable.js';
import { namesAccessToken } from './access-token-name.js';

/**
 * What an `application/x-www-form-urlencoded` body holds for credential extraction: an `access_token`
 * (`token`), none (`none`), or nothing the guard could read — more than the bound (`too_large`), or read by
 * someone else before the guard, leaving nothing to look at (`unavailable`).
 */
export type FormScan = 'token' | 'none' | 'too_large' | 'unavailable';

const FORM = 'application/x-www-form-urlencoded';
const NAME = 'access_token';
const UTF8 = new TextDecoder();

/**
 * Whether the request carries a body of media type `application/x-www-form-urlencoded` (RFC 9110 §8.3.1:
 * case-insensitive, parameters ignored; any one of repeated `Content-Type` fields): a body is declared
 * (`Content-Length` > 0 or a `Transfer-Encoding`, RFC 9112 §6.3) or the caller handed a parsed one. JSON and
 * multipart bodies are never looked at: RFC 6750 §2.2 defines the form parameter alone.
 *
 * @example
 * isFormBody({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 12); // true
 */
export function isFormBody(request: RequestInfo, contentLength: number | undefined): boolean {
  const type = request.headers['content-type'];
  if (type === undefined) return false;
  if (!(typeof type === 'string' ? isForm(type) : Array.isArray(type) && type.some(isForm))) return false;
  if (contentLength !== undefined && contentLength > 0) return true;
  return request.headers['transfer-encoding'] !== undefined || request.parsedBody !== undefined;
}

function isForm(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const end = value.indexOf(';');
  return (end < 0 ? value : value.slice(0, end)).trim().toLowerCase() === FORM;
}

/**
 * Look for an `access_token` in a form body, up to `maxBytes`. Both views count, a token in either wins:
 * the bytes as sent (`RequestInfo.body`, read without consuming them — the application's parser still
 * gets every byte) and what the application's parser made of them (`RequestInfo.parsedBody`). The bytes
 * decide when the guard could read them; the parsed body when they were read before the guard.
 */
export function scanFormBody(request: RequestInfo, maxBytes: number): Awaitable<FormScan> {
  const parsed = request.parsedBody === undefined ? undefined : scanParsed(request.parsedBody, maxBytes);
  if (parsed === 'token') return parsed;
  const body = request.body;
  if (typeof body?.content !== 'function') return parsed ?? 'unavailable';
  return body.content(maxBytes).then(
    (read) => {
      const raw = scanRead(read);
      return raw === 'unavailable' ? (parsed ?? raw) : raw;
    },
    () => parsed ?? 'unavailable',
  );
}

function scanRead(read: BodyContentResult): FormScan {
  if ('content' in read) return formHasToken(UTF8.decode(read.content)) ? 'token' : 'none';
  return 'empty' in read ? 'none' : read.problem;
}

/** What a parser left: a plain object, a `Map` or `URLSearchParams`, or the form itself as a string or bytes. */
function scanParsed(value: unknown, maxBytes: number): FormScan {
  if (typeof value === 'string') return value.length > maxBytes ? 'too_large' : formHasToken(value) ? 'token' : 'none';
  if (value instanceof Uint8Array) return value.byteLength > maxBytes ? 'too_large' : scanRead({ content: value });
  if (value instanceof URLSearchParams || value instanceof Map) return value.has(NAME) ? 'token' : 'none';
  if (value !== null && typeof value === 'object') return Object.hasOwn(value, NAME) ? 'token' : 'none';
  return 'unavailable';
}

/**
 * Whether a form (WHATWG `application/x-www-form-urlencoded` parsing: `+` and percent-decoding, so
 * `access%5Ftoken` counts) names `access_token` at its top level, as any common form parser may read it.
 */
function formHasToken(form: string): boolean {
  for (const name of new URLSearchParams(form).keys()) if (namesAccessToken(name)) return true;
  return false;
}
