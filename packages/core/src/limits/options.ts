import type { GuardOptions } from '../types.js';

/** Resolved rate-limit settings. TODO(issue 5). */
export interface LimitOptions {
  readonly mode: 'sliding' | 'fixed';
  readonly headersOnAllow: boolean;
}

export function resolveLimitOptions(options: GuardOptions): LimitOptions {
  return Object.freeze({ mode: options.rateLimit?.mode ?? 'sliding', headersOnAllow: options.rateLimit?.headersOnAllow ?? true });
}
