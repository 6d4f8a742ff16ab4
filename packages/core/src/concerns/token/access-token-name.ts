/**
 * Whether a decoded form or query parameter name reaches an application as a top-level `access_token`
 * (RFC 6750 §2.2, §2.3). The plain name does; so do the bracket and dot spellings that `qs` — the
 * `extended` parsers of Express (its query parser in Express 4, `express.urlencoded({ extended: true })`)
 * and co-body — turn into a top-level key: `[access_token]`, `access_token[]`, `access_token[x]`,
 * `.access_token`. Deliberately broad: a name no client sends is refused rather than guessed about.
 *
 * @example
 * namesAccessToken('[access_token]'); // true
 * namesAccessToken('x[access_token]'); // false: nested under `x`
 */
export function namesAccessToken(name: string): boolean {
  let start = 0;
  while (name[start] === '[' || name[start] === '.') start += 1;
  if (!name.startsWith('access_token', start)) return false;
  const next = name[start + 12];
  return next === undefined || next === '[' || next === ']' || next === '.';
}
