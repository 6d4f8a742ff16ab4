/** Tokens of the conformance table: minted by the trusted test issuer, or forged one specific way. */
import type { TestIssuer } from '@aap-guard/testing';
import { SignJWT, decodeJwt } from 'jose';
import type { Forgery, TokenSpec } from './model.js';

/** The trusted issuer, and two with keys the guard does not trust (one reusing the trusted kid). */
export interface Issuers {
  readonly trusted: TestIssuer;
  readonly foreignKid: TestIssuer;
  readonly foreignKey: TestIssuer;
}

/**
 * Make a case's token.
 *
 * @example
 * const token = await makeToken(issuers, { forge: 'alg-none' });
 */
export async function makeToken(issuers: Issuers, spec: TokenSpec): Promise<string> {
  const { forge, ...mint } = spec;
  switch (forge) {
    case undefined:
      return issuers.trusted.mint(mint);
    case 'foreign-kid':
      return issuers.foreignKid.mint(mint);
    case 'foreign-key':
      return issuers.foreignKey.mint(mint);
    default:
      return forged(forge, await issuers.trusted.mint(mint), issuers.trusted);
  }
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

async function forged(
  forge: Exclude<Forgery, 'foreign-kid' | 'foreign-key'>,
  genuine: string,
  trusted: TestIssuer,
): Promise<string> {
  const payload = decodeJwt(genuine);
  const [header, , signature] = genuine.split('.');
  switch (forge) {
    case 'crit': // signed by the trusted key; jose must be told the extension is understood to sign it
      return new SignJWT(payload)
        .setProtectedHeader({
          alg: trusted.alg,
          kid: trusted.kid,
          typ: 'at+jwt',
          crit: ['x-unknown'],
          'x-unknown': true,
        })
        .sign(trusted.privateKey, { crit: { 'x-unknown': true } });
    case 'tampered':
      return `${header}.${b64({ ...payload, agent: { ...(payload.agent as object), id: 'agent-admin' } })}.${signature}`;
    case 'alg-none':
      return `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(payload)}.`;
    case 'hs256':
      return new SignJWT(payload)
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
        .sign(new TextEncoder().encode('a-shared-secret-of-32-bytes-long!'));
  }
}
