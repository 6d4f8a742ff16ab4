import { createRequire } from 'node:module';
import { request as httpRequest } from 'node:http';
import { createGuard, type AuditEvent, type Guard, type GuardOptions } from '@aap-guard/core';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import express from 'express';
import { describe } from 'vitest';

const EXPRESS4 = 'express4';

/** One Express major the adapter is tested against; `express` is undefined when that major is not installed. */
export interface ExpressVersion {
  readonly label: string;
  readonly express: typeof express | undefined;
}

/**
 * Express 5 (`express`) and Express 4, the latter from the `express4` alias dev dependency
 * (`"express4": "npm:express@^4.22.0"`).
 */
export const EXPRESS_VERSIONS: readonly ExpressVersion[] = [
  { label: `Express ${major('express')}`, express },
  { label: 'Express 4', express: major(EXPRESS4) === '4' ? ((await import(EXPRESS4)) as { default: typeof express }).default : undefined },
];

/**
 * Declare a suite once per Express major. A major that is not installed is reported as a skipped
 * suite, never silently passed (its body is only collected, with Express 5 standing in).
 */
export function forEachExpress(name: string, body: (framework: typeof express) => void): void {
  for (const { label, express: framework } of EXPRESS_VERSIONS) {
    describe.skipIf(!framework)(`${name} — ${label}`, () => body(framework ?? express));
  }
}

function major(name: string): string | undefined {
  try {
    return (createRequire(import.meta.url)(`${name}/package.json`) as { version: string }).version.split('.')[0];
  } catch {
    return undefined; // not installed
  }
}

/** A test issuer and a guard that trusts it (local JWKS), with a collecting audit sink. */
export async function setup(options: Partial<GuardOptions> = {}): Promise<{ as: TestIssuer; guard: Guard; events: AuditEvent[] }> {
  const as = await createIssuer();
  const events: AuditEvent[] = [];
  const guard = createGuard({
    issuer: as.issuer,
    audience: as.audience,
    jwks: as.jwks,
    audit: (event) => events.push(event),
    ...options,
  });
  return { as, guard, events };
}

export const bearer = (token: string): string => `Bearer ${token}`;

/** A raw HTTP request (chunked when `chunks` are given without content-length); never rejects. */
export function rawRequest(
  port: number,
  options: { method?: string; path: string; headers?: Record<string, string>; chunks?: readonly Buffer[] },
): Promise<{ status?: number; body: Buffer; error?: string }> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let status: number | undefined;
    let settled = false;
    const done = (error?: string) => {
      if (settled) return;
      settled = true;
      resolve({ status, body: Buffer.concat(parts), ...(error ? { error } : {}) });
    };
    const req = httpRequest({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: options.headers }, (res) => {
      status = res.statusCode;
      res.on('data', (chunk: Buffer) => parts.push(chunk));
      res.on('end', () => done());
      res.on('error', (e) => done(e.message));
      res.on('aborted', () => done('aborted'));
    });
    req.on('error', (e) => done(e.message));
    for (const chunk of options.chunks ?? []) req.write(chunk);
    req.end();
  });
}
