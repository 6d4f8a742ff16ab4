/**
 * @aap-guard/testing — mint AAP access tokens and DPoP proofs with a generated key pair, and
 * publish its JWKS, for tests of APIs protected by aap-guard (ours and our users').
 */
export { createIssuer, type TestIssuer, type IssuerOptions, type MintOptions } from './issuer.js';
export { serveJwks, type JwksServer, type JwksFailure, type ServeJwksOptions } from './serve-jwks.js';
export { aapPayload, type AapPayloadOptions } from './payload.js';
export { createDpopKey, dpopProof, importDpopKey, type DpopKey, type DpopProofOptions } from './dpop.js';
export { signSecurityEvent, type SecurityEventOptions } from './security-event.js';
