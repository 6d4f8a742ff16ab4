/**
 * `guard.ready()` gave up: what is not ready, one cause per failing part, in words an operator can act
 * on (`keys of https://as.example.com: JWKS https://as.example.com/jwks is unreachable: connect
 * ECONNREFUSED …`, `revocation list not synchronized (store unreachable?)`).
 *
 * @example
 * try { await guard.ready({ timeoutMs: 5000 }); } catch (error) {
 *   if (error instanceof NotReadyError) for (const cause of error.causes) console.error(cause);
 *   process.exit(1);
 * }
 */
export class NotReadyError extends Error {
  override readonly name = 'NotReadyError';
  readonly code = 'ERR_AAP_NOT_READY';

  constructor(
    readonly causes: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`aap-guard is not ready: ${causes.join('; ')}`, options);
  }
}
