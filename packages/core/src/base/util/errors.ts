/**
 * An infrastructure fault (store, JWKS, introspection endpoint, capability sets): thrown inside checks, turned into a
 * 503 decision by the guard.
 * Always carries the original error as `cause`.
 */
export class InfrastructureError extends Error {
  override readonly name = 'InfrastructureError';
  constructor(
    readonly reason:
      | 'store_unavailable'
      | 'store_full'
      | 'jwks_unavailable'
      | 'introspection_unavailable'
      | 'capabilities_unavailable',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
