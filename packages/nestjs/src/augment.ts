import type { Principal } from '@aap-guard/core';

declare global {
  // Express's own augmentation point for `Request` (Nest's Express platform): `request.aap` is typed
  // without a dependency on Express's types. On the Fastify platform, `request.aap` is set the same way.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /**
       * The verified AAP principal, set by the module's guard on allow: with `capability` and `action` on a
       * handler declared with `@AapAction`, without them on an undeclared one (`undeclared: 'allow'`).
       */
      aap?: Principal | undefined;
    }
  }
}

export {};
