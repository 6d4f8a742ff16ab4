import { sha256 } from '../../base/util/hash.js';
import { deny, type Deny } from '../../base/deny/deny.js';
import type { ClientIpScope } from '../../base/request/client-ip.js';

/** Largest `Client-Cert` header value parsed (a certificate with a long chain of extensions stays well under). */
/** What the certificate check reads (a check's context is one), and where it records the thumbprint. */
export interface CertificateScope extends Omit<ClientIpScope, 'clientIp'> {
  readonly detail: Record<string, unknown>;
}

const MAX_CLIENT_CERT = 16384;
/** RFC 9440 §2.2: an RFC 8941 byte sequence, `:` base64 `:`. */
const BYTE_SEQUENCE = /^:([A-Za-z0-9+/]+={0,2}):$/;

/**
 * Certificate-bound access tokens (RFC 8705 §3): the SHA-256 thumbprint (base64url of SHA-256 over
 * the DER) of the client certificate must equal `cnf["x5t#S256"]`. The certificate comes from the TLS
 * connection (`RequestInfo.clientCertificate`), or — only when the TCP peer is a trusted proxy
 * (`settings.trustProxy`) — from the RFC 9440 `Client-Cert` header the proxy sets after terminating
 * mutual TLS. From any other peer that header is ignored: a client must not assert its own certificate.
 */
export function checkMtls(ctx: CertificateScope, boundThumbprint: string): Deny | undefined {
  const certificate = clientCertificate(ctx);
  if (certificate === 'invalid')
    return deny('mtls_certificate_missing', { check: 'mtls', problem: 'Client-Cert header malformed' });
  if (!certificate) return deny('mtls_certificate_missing', { check: 'mtls', problem: 'no client certificate' });
  const thumbprint = sha256(certificate);
  if (thumbprint !== boundThumbprint) return deny('mtls_certificate_mismatch', { check: 'mtls', thumbprint });
  ctx.detail.x5tS256 = thumbprint;
  return undefined;
}

function clientCertificate(ctx: CertificateScope): Uint8Array | 'invalid' | undefined {
  const { request, settings } = ctx;
  const peer = request.clientIp;
  const header = request.headers['client-cert'];
  if (header !== undefined && typeof peer === 'string' && settings.trustProxy(peer)) return fromHeader(header);
  const socket = request.clientCertificate;
  return socket instanceof Uint8Array && socket.byteLength > 0 ? socket : undefined;
}

function fromHeader(header: string | readonly string[]): Uint8Array | 'invalid' {
  const values = typeof header === 'string' ? [header] : header;
  if (values.length !== 1 || typeof values[0] !== 'string' || values[0].length > MAX_CLIENT_CERT) return 'invalid';
  const match = BYTE_SEQUENCE.exec(values[0].trim());
  if (!match) return 'invalid';
  const der = Buffer.from(match[1]!, 'base64');
  return der.byteLength > 0 ? der : 'invalid';
}
