import type { GuardOptions } from '../types.js';

/** Resolved token-verification settings and per-guard state (key resolver, verified-token cache). TODO(issue 2). */
export interface TokenOptions {
  readonly issuers: ReadonlySet<string>;
  readonly audiences: ReadonlySet<string>;
  readonly clockTolerance: number;
  readonly maxTokenSize: number;
}

export function resolveTokenOptions(options: GuardOptions): TokenOptions {
  const list = (v: string | readonly string[]) => new Set(typeof v === 'string' ? [v] : v);
  return Object.freeze({
    issuers: list(options.issuer),
    audiences: list(options.audience),
    clockTolerance: options.clockTolerance ?? 300,
    maxTokenSize: options.maxTokenSize ?? 16_384,
  });
}
