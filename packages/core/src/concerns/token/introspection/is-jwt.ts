import { decodeProtectedHeader } from 'jose';

/**
 * A compact JWS (three parts) or JWE (five) whose header decodes: verified locally. Anything else is an
 * opaque token for the introspection endpoint (RFC 7662 §1: the RS cannot read it).
 *
 * @example
 * isJwt('eyJhbGciOiJFUzI1NiJ9.e30.sig') // true
 */
export function isJwt(token: string): boolean {
  const dots = token.split('.').length - 1;
  if (dots !== 2 && dots !== 4) return false;
  try {
    decodeProtectedHeader(token);
    return true;
  } catch {
    return false;
  }
}
