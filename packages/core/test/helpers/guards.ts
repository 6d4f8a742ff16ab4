import { createGuard, type Guard, type GuardOptions } from '@aap-guard/core';
import { serveJwks, type JwksServer } from '@aap-guard/testing';
import { afterEach } from 'vitest';

/**
 * Guards and JWKS servers for one test file, each closed after its test (last opened, first closed).
 *
 * @example
 * const { served, make } = useGuards({ audience: AUD, logger: false });
 * const guard = make({ issuer: A, jwks: { uri: (await served(keys)).jwksUri } });
 */
export function useGuards(defaults: Partial<GuardOptions>) {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (cleanup.length) await cleanup.pop()!();
  });
  const track = (guard: Guard): Guard => {
    cleanup.push(() => guard.close());
    return guard;
  };
  return {
    /** A JWKS served on 127.0.0.1. */
    async served(jwks: { keys: readonly object[] }): Promise<JwksServer> {
      const server = await serveJwks(jwks);
      cleanup.push(() => server.close());
      return server;
    },
    /** A guard with the file's defaults under `options`. */
    make: (options: Partial<GuardOptions> & Pick<GuardOptions, 'issuer'>): Guard =>
      track(createGuard({ ...defaults, ...options } as GuardOptions)),
    /** Close a guard built another way after the test. */
    track,
  };
}
