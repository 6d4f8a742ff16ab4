import type { ReasonCode } from '../../base/deny/reasons.js';

/** The credential of one `Authorization` header value. */
export interface ParsedAuthorization<Known = unknown> {
  readonly scheme: 'Bearer' | 'DPoP';
  readonly token: string;
  /** What `known(token)` found for this exact token (a verified-token cache hit), if anything. */
  readonly known?: Known | undefined;
}

/** RFC 7235 §2.1 token68; RFC 6750 §2.1 b64token is the same set. No spaces, no commas. */
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
/** An auth-scheme (RFC 9110 §11.1: a token) followed by whitespace and something: what a credential looks like. */
const CREDENTIAL_LIKE = /^\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+[ \t]+\S/;
/** The leading auth-scheme (RFC 9110 §11.1: a token). */
const SCHEME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+/;
/** Room for the scheme and its separating spaces when capping the raw header before parsing. */
const SCHEME_ROOM = 32;

const SCHEMES: ReadonlyMap<string, ParsedAuthorization['scheme']> = new Map([
  ['bearer', 'Bearer'],
  ['dpop', 'DPoP'],
]);

/**
 * Parse one `Authorization` header value: `Bearer <token68>` (RFC 6750 §2.1) or `DPoP <token68>`
 * (RFC 9449 §7.1); the scheme is case-insensitive (RFC 9110 §11.1). The size cap applies before
 * any other parsing (draft "Denial-of-Service Prevention"). `known(token)` looks the exact token string up
 * among those verified before (the verified-token cache): such a token passed this syntax check already,
 * so a repeated token is not scanned again, and what was found travels on (one lookup per request).
 *
 * @example
 * parseAuthorization('Bearer eyJ…', 16384) // { scheme: 'Bearer', token: 'eyJ…' }
 * parseAuthorization('Basic dXNlcg==', 16384) // 'credentials_missing' (not an AAP credential)
 */
export function parseAuthorization<Known>(
  value: string,
  maxTokenSize: number,
  known?: (token: string) => Known | undefined,
): ParsedAuthorization<Known> | ReasonCode {
  if (value.length > maxTokenSize + SCHEME_ROOM) return 'token_too_large';
  if (known) {
    // A token verified before passed every check below already (token68: no comma, no space), so
    // `<scheme> <that exact token>` needs no scanning: one lookup, and the kilobyte is not read again.
    const space = value.indexOf(' ');
    const scheme = space > 0 ? SCHEMES.get(value.slice(0, space).toLowerCase()) : undefined;
    if (scheme) {
      const token = value.slice(space + 1);
      const found = known(token);
      if (found !== undefined) return { scheme, token, known: found };
    }
  }
  const trimmed = value.trim();
  if (trimmed.includes(',')) return looksLikeSeveral(trimmed) ? 'credentials_multiple' : 'authorization_malformed';
  const name = SCHEME.exec(trimmed)?.[0];
  if (name === undefined) return 'authorization_malformed';
  const scheme = SCHEMES.get(name.toLowerCase());
  // Another scheme (Basic, an API key…) is no AAP credential at all: RFC 9110 §11.6.1 answers it with a
  // challenge naming the schemes we accept, not with a 400 (and `authRequired: false` lets it through).
  if (!scheme) return 'credentials_missing';
  const space = name.length;
  if (trimmed[space] !== ' ') return 'authorization_malformed'; // RFC 9110 §11.4: `auth-scheme 1*SP token68`
  const token = trimmed.slice(space + 1).trimStart();
  if (token.length > maxTokenSize) return 'token_too_large';
  if (!TOKEN68.test(token)) return 'authorization_malformed';
  return { scheme, token };
}

/** A comma-joined header (RFC 9110 §5.3) carrying two or more credentials. */
function looksLikeSeveral(value: string): boolean {
  let count = 0;
  for (const part of value.split(',')) if (CREDENTIAL_LIKE.test(part)) count += 1;
  return count >= 2;
}
