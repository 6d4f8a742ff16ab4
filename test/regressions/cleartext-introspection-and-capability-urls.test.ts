/**
 * Regression (issue 23, item 12): cleartext introspection and capability URLs were accepted. An `http://`
 * JWKS URL on a non-loopback host was refused at `createGuard()`, but an `http://` introspection endpoint
 * (the guard sends its client credentials and every bearer token there), an introspection issuer whose
 * metadata is read over `http://`, a `capabilitiesRef.allowedUrls` entry (the guard trusts the capability
 * sets it answers) and an RFC 8936 poll endpoint (its answers revoke) were all accepted; so were an `http://`
 * endpoint named by an issuer's metadata and a `capabilities_ref` under an `http://` issuer's origin. One rule
 * now holds for every URL the guard sends credentials to or trusts answers from: `https:`, `http:` only on a
 * loopback host (localhost, 127.0.0.0/8, [::1]) — or with the explicit `allowInsecureRequests: true`. A
 * configured URL breaking it is a `TypeError` at construction naming the option; a URL learned at run time
 * (metadata, a token's reference) is never contacted.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGuard, type Guard, type GuardOptions } from '@aap-guard/core';
import { securityEventReceiver } from '@aap-guard/core/events';
import { createIssuer } from '@aap-guard/testing';
import { afterEach, describe, expect, it } from 'vitest';

const AUD = 'https://api.example.com';
const client = { id: 'api', secret: 'rs-secret' };
const base = { audience: AUD, jwks: { keys: [] }, logger: false as const };
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

function made(options: GuardOptions): Guard {
  const guard = createGuard(options);
  closers.push(() => guard.close());
  return guard;
}

const CLEARTEXT = /is http:\/\/ on a non-loopback host/;

describe('URLs given in the options', () => {
  it('an http:// introspection endpoint on a non-loopback host is a TypeError naming the option', () => {
    const introspection = { endpoint: 'http://as.example.com/introspect', client };
    const options = { ...base, issuer: 'https://as.example.com', introspection };
    const named = /options\.introspection\.endpoint http:\/\/as\.example\.com\/introspect /;
    expect(() => createGuard(options)).toThrow(named);
    expect(() => createGuard(options)).toThrow(CLEARTEXT);
  });

  it("introspection whose endpoint is read from an http:// issuer's metadata on a non-loopback host: TypeError", () => {
    const options = { ...base, issuer: 'http://as.example.com', introspection: { client } };
    expect(() => createGuard(options)).toThrow(/options\.introspection\b.*issuer http:\/\/as\.example\.com/);
    expect(() => createGuard(options)).toThrow(CLEARTEXT);
  });

  it('an http:// capabilitiesRef.allowedUrls entry on a non-loopback host is a TypeError naming the option', () => {
    const capabilitiesRef = { allowedUrls: ['https://caps.example.com/', 'http://caps.example.com/sets/'] };
    const options = { ...base, issuer: 'https://as.example.com', capabilitiesRef };
    const named = /options\.capabilitiesRef\.allowedUrls\[1\] http:\/\/caps\.example\.com\/sets\//;
    expect(() => createGuard(options)).toThrow(named);
    expect(() => createGuard(options)).toThrow(CLEARTEXT);
  });

  it('an http:// SET poll endpoint on a non-loopback host is a TypeError naming the option', () => {
    const receiver = securityEventReceiver(made({ ...base, issuer: 'https://as.example.com' }));
    const poll = () => receiver.poll({ endpoint: 'http://as.example.com/events/poll', autoStart: false });
    expect(poll).toThrow(/poll\(options\.endpoint\) http:\/\/as\.example\.com\/events\/poll/);
    expect(poll).toThrow(CLEARTEXT);
  });

  it('loopback hosts are accepted over http, and any host with allowInsecureRequests: true', async () => {
    for (const host of ['127.0.0.1:9', '127.8.9.10:9', 'localhost:9', '[::1]:9']) {
      const guard = made({
        ...base,
        issuer: 'https://as.example.com',
        introspection: { endpoint: `http://${host}/introspect`, client },
        capabilitiesRef: { allowedUrls: [`http://${host}/sets/`] },
      });
      await securityEventReceiver(guard)
        .poll({ endpoint: `http://${host}/poll`, autoStart: false })
        .stop();
    }
    const insecure = made({
      ...base,
      issuer: 'http://as.example.com',
      allowInsecureRequests: true,
      introspection: { client },
      capabilitiesRef: { allowedUrls: ['http://caps.example.com/'] },
    });
    await securityEventReceiver(insecure).poll({ endpoint: 'http://as.example.com/poll', autoStart: false }).stop();
  });

  it('a host that merely looks local is not loopback', () => {
    for (const endpoint of ['http://localhost.example.com/introspect', 'http://127.0.0.1.nip.io/introspect']) {
      const options = { ...base, issuer: 'https://as.example.com', introspection: { endpoint, client } };
      expect(() => createGuard(options)).toThrow(CLEARTEXT);
    }
  });
});

describe('URLs learned at run time are held to the same rule, and never contacted when they break it', () => {
  /** An authorization server on loopback whose RFC 8414 metadata names endpoints on a non-loopback http host. */
  async function cleartextMetadata(): Promise<string> {
    const server = createServer((req, res) => {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      if (req.url !== '/.well-known/oauth-authorization-server') return void res.writeHead(404).end();
      const metadata = {
        issuer: url,
        jwks_uri: 'http://as.example.com/jwks',
        introspection_endpoint: 'http://as.example.com/introspect',
      };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(metadata));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => server.close(resolve)));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  const request = (token: string) => ({
    method: 'GET',
    url: `${AUD}/x`,
    headers: { authorization: `Bearer ${token}` },
  });

  it("a loopback issuer's metadata naming an http introspection_endpoint elsewhere: 503, never called", async () => {
    const issuer = await cleartextMetadata();
    const guard = made({ ...base, issuer, introspection: { client } });
    const decision = await guard.check(request('opaque-token'), { action: 'search.web' });
    expect([decision.status, decision.reason]).toEqual([503, 'introspection_unavailable']);
    const refused = /introspection_endpoint http:\/\/as\.example\.com\/introspect is http:\/\/ on a non-loopback host/;
    expect(decision.audit.detail).toMatchObject({ fault: expect.stringMatching(refused) });
  });

  it("a loopback issuer's metadata naming an http jwks_uri elsewhere: 503, never fetched", async () => {
    const issuer = await cleartextMetadata();
    const as = await createIssuer({ issuer, audience: AUD });
    const guard = made({ audience: AUD, logger: false, issuer });
    const decision = await guard.check(request(await as.mint()), { action: 'search.web' });
    expect([decision.status, decision.reason]).toEqual([503, 'jwks_unavailable']);
    const refused = /jwks_uri http:\/\/as\.example\.com\/jwks is http:\/\/ on a non-loopback host/;
    expect(decision.audit.detail).toMatchObject({ fault: expect.stringMatching(refused) });
  });

  it('a capabilities_ref under the origin of an http:// issuer on a non-loopback host: refused unfetched', async () => {
    const as = await createIssuer({ issuer: 'http://as.example.com', audience: AUD });
    const guard = made({ audience: AUD, logger: false, issuer: as.issuer, jwks: as.jwks });
    const ref = 'http://as.example.com/capability-sets/all';
    const token = await as.mint({ claims: { capabilities: undefined, capabilities_ref: ref } });
    const decision = await guard.check(request(token), { action: 'search.web' });
    expect([decision.status, decision.reason]).toEqual([401, 'token_claims_invalid']);
  });
});
