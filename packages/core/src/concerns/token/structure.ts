import { isUtf8 } from 'node:buffer';
import { deny, type Deny } from '../../base/deny/deny.js';

const B64URL = /^[A-Za-z0-9_-]*$/;
const decoder = new TextDecoder(); // BOM-stripping, as jose's; only ever given valid UTF-8 here

/**
 * The refusals of a compact JWS that need no key and no signature — a cheap structural look before jose,
 * whose error construction made a malformed token cost more than a verified one (issue 26): exactly three
 * segments; a protected header that is base64url, UTF-8, a JSON object; `alg` a non-empty string in the
 * allow-list. Each is refused with the reason, jose code and message jose's `jwtVerify` gives, in jose's
 * order (compact split, header, `crit`, `alg`; RFC 7515 §5.2 steps 1–3), so nothing a client sees or the
 * audit records changes. Only what is certain is refused here: anything unusual (a `crit` or `b64` member,
 * padding or a character base64url has not) goes to jose, which decides as before.
 *
 * @example
 * structureDeny('not-a-jwt', ['ES256']) // → token_malformed (ERR_JWS_INVALID)
 */
export function structureDeny(token: string, algorithms: readonly string[] | undefined): Deny | undefined {
  const first = token.indexOf('.');
  const second = first < 0 ? -1 : token.indexOf('.', first + 1);
  if (second < 0 || token.indexOf('.', second + 1) >= 0) return malformed('Invalid Compact JWS');
  const encoded = token.slice(0, first);
  // Anything base64url has not (padding, `+`, `/`, `~`): left to jose's own decoder, whatever it decides.
  if (!B64URL.test(encoded)) return undefined;
  if (encoded.length % 4 === 1) return malformed(HEADER_INVALID); // no base64 text has that length
  const bytes = Buffer.from(encoded, 'base64url');
  if (!isUtf8(bytes)) return malformed(HEADER_INVALID);
  const header = jsonObject(decoder.decode(bytes));
  if (header === undefined) return malformed(HEADER_INVALID);
  if (header.crit !== undefined || header.b64 !== undefined) return undefined; // jose's extension rules
  const alg = header.alg;
  if (typeof alg !== 'string' || alg === '')
    return malformed('JWS "alg" (Algorithm) Header Parameter missing or invalid');
  if (algorithms && !algorithms.includes(alg)) {
    return deny('token_alg_not_allowed', {
      jose: 'ERR_JOSE_ALG_NOT_ALLOWED',
      message: '"alg" (Algorithm) Header Parameter value not allowed',
    });
  }
  return undefined;
}

const HEADER_INVALID = 'JWS Protected Header is invalid';

const malformed = (message: string): Deny => deny('token_malformed', { jose: 'ERR_JWS_INVALID', message });

/**
 * The JSON object `text` holds, or undefined (jose: a plain object, nothing else). Text that cannot be an
 * object — not `{` … `}` around optional JSON whitespace — is refused without a parse (and its exception).
 */
function jsonObject(text: string): Record<string, unknown> | undefined {
  let start = 0;
  let end = text.length - 1;
  while (start <= end && isJsonSpace(text.charCodeAt(start))) start += 1;
  while (end >= start && isJsonSpace(text.charCodeAt(end))) end -= 1;
  if (text.charCodeAt(start) !== 0x7b || text.charCodeAt(end) !== 0x7d) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** JSON's insignificant whitespace (RFC 8259 §2): space, tab, line feed, carriage return. */
const isJsonSpace = (code: number): boolean => code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
