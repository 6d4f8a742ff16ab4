import type { AapClaims } from '../base/claims/model.js';

/**
 * Whether a token is sender-constrained: bound to a DPoP key (`cnf.jkt`, RFC 9449 §6) or to a client
 * certificate (`cnf["x5t#S256"]`, RFC 8705 §3.1). Step 3 verified the proof or the certificate of every
 * bound token before any later check reads this, so "bound" here means "possession demonstrated".
 */
export function isSenderConstrained(claims: AapClaims | undefined): boolean {
  const cnf = claims?.cnf;
  return cnf !== undefined && (typeof cnf.jkt === 'string' || typeof cnf['x5t#S256'] === 'string');
}
