import type { GuardOptions } from '../types.js';

/** Resolved agent / delegation / constraint policy, compiled once. TODO(issue 3). */
export interface PolicyOptions {
  readonly unknownConstraints: 'deny' | 'ignore';
}

export function resolvePolicyOptions(options: GuardOptions): PolicyOptions {
  return Object.freeze({ unknownConstraints: options.constraints?.unknown ?? 'deny' });
}
