import type { DpopMode, GuardOptions } from '../types.js';

/** Resolved proof-of-possession settings. TODO(issue 4). */
export interface PopOptions {
  readonly dpopMode: DpopMode;
  readonly dpopAlgorithms: readonly string[];
}

export function resolvePopOptions(options: GuardOptions): PopOptions {
  return Object.freeze({
    dpopMode: options.dpop?.mode ?? 'optional',
    dpopAlgorithms: options.dpop?.algorithms ?? ['ES256', 'ES384', 'ES512', 'RS256', 'PS256', 'EdDSA'],
  });
}
